package io.warehouseapi.reply;

import io.warehouseapi.api.ApiException;
import io.warehouseapi.api.ErrorCode;
import io.warehouseapi.query.QueryFailure;

/** The protocol's error code for each kind of the query layer's failures. */
final class FailureCodes {

    private FailureCodes() {
    }

    /** A failure of the query layer as the protocol's error: the code of its kind, its message and ids. */
    static ApiException asProtocolError(QueryFailure failure) {
        return new ApiException(codeOf(failure.kind()), failure.getMessage(), failure.queryId(), failure.requestId());
    }

    static ErrorCode codeOf(QueryFailure.Kind kind) {
        return switch (kind) {
            case WAREHOUSE_BUSY, LIMIT_REACHED -> ErrorCode.TOO_MANY_REQUESTS;
            case WAREHOUSE_UNREACHABLE -> ErrorCode.WAREHOUSE_UNAVAILABLE;
            case NO_SUCH_VIEW -> ErrorCode.VIEW_NOT_FOUND;
            case BAD_QUESTION -> ErrorCode.BAD_REQUEST;
            case UNKNOWN_QUERY -> ErrorCode.QUERY_NOT_FOUND;
            case NOT_FINISHED -> ErrorCode.QUERY_NOT_FINISHED;
            case FAILED -> ErrorCode.QUERY_FAILED;
            case TIMED_OUT -> ErrorCode.QUERY_TIMEOUT;
            case CANCELLED -> ErrorCode.QUERY_CANCELLED;
        };
    }
}
