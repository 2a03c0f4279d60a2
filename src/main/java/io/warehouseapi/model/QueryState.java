package io.warehouseapi.model;

/** The states of a query, as the protocol reports them. */
public enum QueryState {
    QUEUED,
    RUNNING,
    SUCCESS,
    FAILED,
    CANCELLED;

    public boolean isFinished() {
        return this == SUCCESS || this == FAILED || this == CANCELLED;
    }
}
