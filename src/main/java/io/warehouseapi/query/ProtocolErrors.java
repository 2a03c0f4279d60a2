package io.warehouseapi.query;

import java.time.Duration;
import java.util.Locale;

import io.warehouseapi.api.ApiException;
import io.warehouseapi.api.ErrorCode;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.warehouse.WarehouseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query layer's failures as the protocol's error replies, in one place: what a client reads for a warehouse that
 * refuses, an id it does not hold, a query not finished, failed, timed out or cancelled, and each per-client bound.
 */
final class ProtocolErrors {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    private ProtocolErrors() {
    }

    /** A warehouse's refusal. */
    static ApiException refused(WarehouseException e, String queryId) {
        LOG.debug("The warehouse refused: {} ({})", e.getMessage(), e.reason());
        return switch (e.reason()) {
            case BUSY -> new ApiException(ErrorCode.TOO_MANY_REQUESTS,
                    "Too many queries are waiting for the warehouse; try again shortly.", queryId, null);
            case UNREACHABLE -> unavailable(queryId);
        };
    }

    static ApiException unavailable(String queryId) {
        return new ApiException(ErrorCode.WAREHOUSE_UNAVAILABLE, "The warehouse cannot be reached right now.",
                queryId, null);
    }

    static ApiException noSuchView() {
        return new ApiException(ErrorCode.VIEW_NOT_FOUND, "No view of that name is exposed by this API.");
    }

    /** An id that is not the caller's: unknown, expired, tampered or another owner's are answered alike. */
    static ApiException unknownQuery(String queryId) {
        return new ApiException(ErrorCode.QUERY_NOT_FOUND, "No query of that id is known to this client.", queryId,
                null);
    }

    static ApiException tooManyRunning(long running) {
        return new ApiException(ErrorCode.TOO_MANY_REQUESTS, "This connection has " + running
                                + " queries running, the most it may have; wait for one to end or cancel it.");
    }

    static ApiException tooManyLinks(long links, String queryId, String requestId) {
        return new ApiException(ErrorCode.TOO_MANY_REQUESTS, "This client holds " + links
                                + " export links, the most it may (api.export.max-links-per-client); a link stops "
                                + "counting when it expires.", queryId, requestId);
    }

    static ApiException tooLargeToExport(String requestId) {
        return ApiException.badRequest("This result is larger than the server keeps "
                                       + "(warehouse.snowflake.local-copy.max-rows), so it cannot be exported; "
                                       + "narrow the question with columns or filters.", requestId);
    }

    /**
     * The reply for an id whose query has not succeeded: still running, failed, timed out (stopped by the statement
     * timeout, not by its client) or cancelled.
     */
    static ApiException notSucceeded(String queryId, QueryState state, SharedQuery shared, boolean cancelledByClient,
                                     Duration statementTimeout) {
        return switch (state) {
            case QUEUED, RUNNING -> new ApiException(ErrorCode.QUERY_NOT_FINISHED, "The query is still "
                    + state.name().toLowerCase(Locale.ROOT) + "; wait for its results.", queryId, null);
            case FAILED -> new ApiException(ErrorCode.QUERY_FAILED, shared.error(), queryId, null);
            case CANCELLED -> shared.timedOut && !cancelledByClient
                    ? new ApiException(ErrorCode.QUERY_TIMEOUT, "The query ran longer than the limit of "
                            + statementTimeout.toSeconds() + " s and was cancelled.", queryId, null)
                    : cancelled(queryId);
            case SUCCESS -> throw new IllegalArgumentException("The query succeeded");
        };
    }

    static ApiException cancelled(String queryId) {
        return new ApiException(ErrorCode.QUERY_CANCELLED, "The query was cancelled.", queryId, null);
    }
}
