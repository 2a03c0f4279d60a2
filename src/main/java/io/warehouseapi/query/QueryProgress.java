package io.warehouseapi.query;

import io.warehouseapi.model.QueryState;

/**
 * What one poll of a running query found: its state, how long it has run, whether a progress reply is due (at most
 * about once a second, and only to requests that carry a request id), and, once the first rows of its result are
 * stored while the rest is still being stored, its first page, once ({@code firstPage}, null otherwise;
 * {@code firstPageSent} from then on).
 */
public record QueryProgress(String queryId, QueryState state, long elapsedMs, boolean progressDue,
                            ResultPage firstPage, boolean firstPageSent) {

    public QueryProgress(String queryId, QueryState state, long elapsedMs, boolean progressDue) {
        this(queryId, state, elapsedMs, progressDue, null, false);
    }

    public boolean isFinished() {
        return state.isFinished();
    }

    /** Whether this poll found the first page, to be sent now. */
    public boolean firstPageDue() {
        return firstPage != null;
    }
}
