package io.warehouseapi.query;

/**
 * Why the query layer could not do what a request asked, in its own terms; the reply layer words it as the protocol's
 * error ({@code reply.FailureCodes}). The message is meant for the client: it names no secret, SQL or stack.
 */
public final class QueryFailure extends RuntimeException {

    /** The kinds of failure. */
    public enum Kind {
        /** Too many queries wait for the warehouse. */
        WAREHOUSE_BUSY,
        /** The warehouse cannot be reached. */
        WAREHOUSE_UNREACHABLE,
        /** No exposed view of that name (for this client). */
        NO_SUCH_VIEW,
        /** The question does not fit the view, or the request cannot be served as asked. */
        BAD_QUESTION,
        /** No query of that id for this client: unknown, expired, tampered, another owner's, or forgotten. */
        UNKNOWN_QUERY,
        /** A per-client bound is reached. */
        LIMIT_REACHED,
        /** The query is still queued or running. */
        NOT_FINISHED,
        /** The warehouse reported the query failed. */
        FAILED,
        /** The query ran past the statement timeout and was stopped. */
        TIMED_OUT,
        /** The query was cancelled (by its client, or its connection's end). */
        CANCELLED
    }

    private final Kind kind;
    private final String queryId;
    private final String requestId;

    public QueryFailure(Kind kind, String message, String queryId, String requestId) {
        super(message, null, false, false);
        this.kind = kind;
        this.queryId = queryId;
        this.requestId = requestId;
    }

    public Kind kind() {
        return kind;
    }

    /** The query id the failure is about, or null. */
    public String queryId() {
        return queryId;
    }

    /** The request id to answer, when it is not the request's own, or null. */
    public String requestId() {
        return requestId;
    }
}
