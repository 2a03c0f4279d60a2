package io.warehouseapi.query;

import java.time.Duration;
import java.util.Locale;

import io.warehouseapi.model.QueryState;
import io.warehouseapi.query.QueryFailure.Kind;
import io.warehouseapi.warehouse.WarehouseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query layer's failures, worded for the client in one place: a warehouse that refuses, an id the client does
 * not hold, a query not finished, failed, timed out or cancelled, and each per-client bound.
 */
final class Failures {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    private Failures() {
    }

    /** A warehouse's refusal. */
    static QueryFailure refused(WarehouseException e, String queryId) {
        LOG.debug("The warehouse refused: {} ({})", e.getMessage(), e.reason());
        return switch (e.reason()) {
            case BUSY -> new QueryFailure(Kind.WAREHOUSE_BUSY,
                    "Too many queries are waiting for the warehouse (" + e.getMessage() + "); try again shortly.",
                    queryId, null);
            case UNREACHABLE -> unavailable(queryId);
            case RESULT_EXPIRED -> new QueryFailure(Kind.FAILED, RESULT_EXPIRED, queryId, null);
        };
    }

    static final String RESULT_EXPIRED = "The result has expired in the warehouse (Snowflake keeps a result for 24 "
                                         + "hours); run the view again.";

    static QueryFailure unavailable(String queryId) {
        return new QueryFailure(Kind.WAREHOUSE_UNREACHABLE, "The warehouse cannot be reached right now.", queryId,
                null);
    }

    static QueryFailure noSuchView() {
        return new QueryFailure(Kind.NO_SUCH_VIEW, "No view of that name is exposed by this API.", null, null);
    }

    static QueryFailure badQuestion(String message, String requestId) {
        return new QueryFailure(Kind.BAD_QUESTION, message, null, requestId);
    }

    /** An id that is not the caller's: unknown, expired, tampered or another owner's are answered alike. */
    static QueryFailure unknownQuery(String queryId) {
        return new QueryFailure(Kind.UNKNOWN_QUERY, "No query of that id is known to this client.", queryId, null);
    }

    static QueryFailure tooManyRunning(long running) {
        return new QueryFailure(Kind.LIMIT_REACHED, "This connection has " + running
                + " queries running, the most it may have; wait for one to end or cancel it.", null, null);
    }

    static QueryFailure tooManyRunningForPrincipal(long running) {
        return new QueryFailure(Kind.LIMIT_REACHED, "This principal has " + running
                + " queries running across its connections, the most it may have "
                + "(warehouse.max-queries-per-principal); wait for one to end or cancel it.", null, null);
    }

    static QueryFailure tooManyRunningForTenant(long running) {
        return new QueryFailure(Kind.LIMIT_REACHED, "This principal's tenant has " + running
                + " queries running or waiting, the most it may have (tenant_queries in the access policies); "
                + "wait for one to end or cancel it.", null, null);
    }

    static QueryFailure tooManyLinks(long links, String queryId, String requestId) {
        return new QueryFailure(Kind.LIMIT_REACHED, "This client holds " + links
                + " export links, the most it may (api.export.max-links-per-client); a link stops counting when it "
                + "expires.", queryId, requestId);
    }

    static QueryFailure tooLargeToExport(String requestId) {
        return badQuestion("This result is larger than the server keeps (warehouse.snowflake.local-copy.max-rows), "
                           + "so it cannot be exported; narrow the question with columns or filters.", requestId);
    }

    /**
     * The failure for an id whose query has not succeeded: still running, failed, timed out (stopped by the statement
     * timeout, not by its client) or cancelled.
     */
    static QueryFailure notSucceeded(String queryId, QueryState state, SharedQuery shared, boolean cancelledByClient,
                                     Duration statementTimeout) {
        return switch (state) {
            case QUEUED, RUNNING -> new QueryFailure(Kind.NOT_FINISHED, "The query is still "
                    + state.name().toLowerCase(Locale.ROOT) + "; wait for its results.", queryId, null);
            case FAILED -> new QueryFailure(Kind.FAILED, shared.error(), queryId, null);
            case CANCELLED -> shared.timedOut && !cancelledByClient
                    ? new QueryFailure(Kind.TIMED_OUT, shared.timedOutByWarehouse
                            ? "The query ran longer than the warehouse's statement timeout and was cancelled: "
                              + shared.error()
                            : "The query ran longer than the limit of " + statementTimeout.toSeconds()
                              + " s and was cancelled.", queryId, null)
                    : cancelled(queryId);
            case SUCCESS -> throw new IllegalArgumentException("The query succeeded");
        };
    }

    static QueryFailure cancelled(String queryId) {
        return new QueryFailure(Kind.CANCELLED, "The query was cancelled.", queryId, null);
    }
}
