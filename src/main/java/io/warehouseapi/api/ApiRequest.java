package io.warehouseapi.api;

/**
 * One validated request. Optional fields the client did not send are {@code null}; {@code offset} and
 * {@code pageSize} carry their defaults.
 */
public record ApiRequest(String action, String viewName, String queryId, long offset, int pageSize, String requestId) {

    /** The name of the action as sent, for content-based routing in the route files. */
    public String actionName() {
        return action;
    }

    public boolean hasRequestId() {
        return requestId != null;
    }
}
