package io.warehouseapi.query;

import io.warehouseapi.api.ApiRequest;
import io.warehouseapi.api.RequestParser;

/** Requests as a client words them, and the kind of failure a call ends in, for the query rules' tests. */
final class Asking {

    private static final RequestParser PARSER = new RequestParser(1000, 65536);

    private Asking() {
    }

    /** A run_view of the in-memory warehouse's one view, with the request's extra fields. */
    static ApiRequest runView(String extra) {
        return PARSER.parse("{\"action\":\"run_view\",\"view_name\":\"trips\"" + extra + "}");
    }

    /** A request about a query id: fetch_results, query_status, cancel or export. */
    static ApiRequest about(String action, String queryId, String extra) {
        return PARSER.parse("{\"action\":\"" + action + "\",\"query_id\":\"" + queryId + "\"" + extra + "}");
    }

    /** The kind of the failure the call ends in, or {@code null} if it succeeds. */
    static QueryFailure.Kind failureOf(Runnable call) {
        try {
            call.run();
        } catch (QueryFailure e) {
            return e.kind();
        }
        return null;
    }
}
