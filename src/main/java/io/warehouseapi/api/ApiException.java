package io.warehouseapi.api;

/**
 * A failure the client is told about: an error code of the protocol and a sentence for a person. The message is part
 * of the reply, so it never carries a stack trace, a secret or the server's own SQL.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final String queryId;
    private final String requestId;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public ApiException(ErrorCode code, String message, String queryId, String requestId) {
        super(message, null, false, false);
        this.code = code;
        this.queryId = queryId;
        this.requestId = requestId;
    }

    public static ApiException badRequest(String message, String requestId) {
        return new ApiException(ErrorCode.BAD_REQUEST, message, null, requestId);
    }

    public ErrorCode getCode() {
        return code;
    }

    public String getQueryId() {
        return queryId;
    }

    public String getRequestId() {
        return requestId;
    }
}
