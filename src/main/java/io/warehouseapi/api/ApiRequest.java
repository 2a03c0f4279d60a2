package io.warehouseapi.api;

import io.warehouseapi.question.Ask;

/**
 * One validated request. Optional fields the client did not send are {@code null}; {@code offset} and
 * {@code pageSize} carry their defaults. {@code token} is the credential of an {@code auth} request, and is left out
 * of {@link #toString()} so that no log line can carry it. {@code fresh} is a {@code run_view}'s wish not to be
 * answered from a result that had finished before it arrived; {@code ask} is its question ({@code columns},
 * {@code filters}, {@code order_by}), checked for shape. {@code format} is an {@code export}'s file format.
 */
public record ApiRequest(String action, String viewName, String queryId, long offset, int pageSize, String requestId,
                         String token, boolean fresh, Ask ask, String format) {

    public ApiRequest {
        ask = ask == null ? Ask.WHOLE_VIEW : ask;
    }

    public ApiRequest(String action, String viewName, String queryId, long offset, int pageSize, String requestId) {
        this(action, viewName, queryId, offset, pageSize, requestId, null, false, null, null);
    }

    public ApiRequest(String action, String viewName, String queryId, long offset, int pageSize, String requestId,
                      String token) {
        this(action, viewName, queryId, offset, pageSize, requestId, token, false, null, null);
    }

    /** The name of the action as sent, for content-based routing in the route files. */
    public String actionName() {
        return action;
    }

    public boolean hasRequestId() {
        return requestId != null;
    }

    @Override
    public String toString() {
        return "ApiRequest[action=" + action + ", viewName=" + viewName + ", queryId=" + queryId + ", offset=" + offset
               + ", pageSize=" + pageSize + ", requestId=" + requestId + (fresh ? ", fresh=true" : "")
               + (ask.isWholeView() ? "" : ", ask=" + ask) + (format == null ? "" : ", format=" + format)
               + (token == null ? "" : ", token=(hidden)") + "]";
    }
}
