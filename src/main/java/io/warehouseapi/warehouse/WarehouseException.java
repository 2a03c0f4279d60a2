package io.warehouseapi.warehouse;

/**
 * A warehouse adapter's refusal, in the warehouse's own terms: it is too busy to take another query, or it cannot be
 * reached. (A query that ran and failed is not an exception: its {@link WarehouseStatus} is {@code FAILED} with the
 * engine's message.) The query layer turns these into the protocol's replies, so an adapter needs to know nothing of
 * the protocol.
 */
public class WarehouseException extends RuntimeException {

    /** Why the warehouse said no. */
    public enum Reason {
        /** Too many queries are running or waiting: worth trying again shortly. */
        BUSY,
        /** The warehouse cannot be reached (network, credentials, a locked file): worth trying again later. */
        UNREACHABLE,
        /** The warehouse no longer keeps the result (Snowflake's 24 hours): the view must be run again. */
        RESULT_EXPIRED
    }

    private final Reason reason;

    public WarehouseException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
