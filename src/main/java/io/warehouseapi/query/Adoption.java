package io.warehouseapi.query;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.model.Owner;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Taking up work another replica started (or this one, before it restarted): a principal's query id, or the result
 * behind an export link, named by its signed id. The warehouse is asked once per result; a finished result being
 * copied into this replica's store is waited for outside any lock, so one slow copy holds up only those who asked
 * for that result. Callers run off the event loop (fetch_results on a worker, downloads on their own threads).
 */
final class Adoption {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
    /** How long taking up a finished result waits for its copy into this replica's store. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Warehouse warehouse;
    private final SharedQueries queries;
    private final QueryIds handles;
    private final SignedIds ids;
    private final Clock clock;
    private final ApiMetrics metrics;
    /** Guards looking a result up and recording it as held (never held while a copy is awaited). */
    private final Object records = new Object();

    Adoption(Warehouse warehouse, SharedQueries queries, QueryIds handles, SignedIds ids, Clock clock,
             ApiMetrics metrics) {
        this.warehouse = warehouse;
        this.queries = queries;
        this.handles = handles;
        this.ids = ids;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * A principal's valid query id that this replica does not hold, taken up here; null for a connection's id or one
     * that does not open (tampered, expired, another owner's) or whose query the warehouse cannot take up.
     */
    QueryHandle queryId(Owner owner, String queryId) {
        if (queryId == null || !owner.isPrincipal()) {
            return null;
        }
        SignedIds.Opened opened = ids.open(SignedIds.Kind.QUERY, owner.key(), queryId, clock.instant());
        if (opened == null) {
            return null;
        }
        QueryHandle known = handles.get(queryId);
        if (known != null) {
            return known;
        }
        SharedQuery shared = result(opened.ref().toString());
        if (shared == null) {
            return null;
        }
        QueryHandle handle = new QueryHandle(queryId, owner, owner.key(), shared, false, opened.expiresAt(), metrics);
        handle.adopted = true;
        QueryHandle recorded = handles.addAdopted(handle);
        if (recorded != handle) {
            // taken up meanwhile by another request for it
            queries.letGo(shared);
            return recorded;
        }
        LOG.info("query={} view={} taken up on this replica, result={}", queryId, shared.question.view(),
                shared.warehouseId);
        return handle;
    }

    /**
     * The shared query of a warehouse id, attached for one more user: the one this replica holds, or one taken up from
     * the warehouse ({@link Warehouse#adopt}); null if the warehouse cannot take it up. A finished result that is being
     * copied into this replica's store (Snowflake's) is waited for, up to a minute.
     */
    SharedQuery result(String warehouseId) {
        SharedQuery adopted;
        synchronized (records) {
            adopted = queries.attachHeld(warehouseId);
            if (adopted == null) {
                String view;
                try {
                    view = warehouse.adopt(warehouseId);
                } catch (WarehouseException e) {
                    return null;
                }
                if (view == null) {
                    return null;
                }
                adopted = queries.holdAdopted(view, warehouseId);
                if (!queries.state(adopted).isFinished()) {
                    adopted.copying = warehouse.whenEnded(warehouseId).orElse(null);
                }
            }
        }
        CompletionStage<Void> copying = adopted.copying;
        if (copying != null) {
            try {
                copying.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("result={}: not copied within {}", warehouseId, WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return adopted;
    }
}
