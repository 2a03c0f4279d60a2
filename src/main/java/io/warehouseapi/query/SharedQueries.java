package io.warehouseapi.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.warehouseapi.model.QueryState;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.StoredResult;
import io.warehouseapi.warehouse.Results;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharing and reuse decision, and the life of each shared query: identical questions asked while one is queued or
 * running join it; one asked within the view's reuse window after it succeeded reuses its result; anything else starts
 * a fresh warehouse query. A shared query in flight is cancelled when its last user goes; a finished one's result is
 * dropped once nobody uses it and nobody can reuse it. The statement timeout is enforced where a state is read.
 */
final class SharedQueries {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    private final Warehouse warehouse;
    private final Results results;
    private final Duration statementTimeout;
    private final Clock clock;
    /** The shared query that answers each question now: in flight, or finished and perhaps reusable. */
    private final Map<Question, SharedQuery> current = new ConcurrentHashMap<>();
    /** Every shared query whose result is held, current or not. */
    private final Set<SharedQuery> held = ConcurrentHashMap.newKeySet();
    private volatile ReusePolicy reuse = ReusePolicy.NONE;
    private volatile String reuseSettings = "";
    /** Set at shutdown when the warehouse runs queries on without this process: none is cancelled from then on. */
    private volatile boolean handingOff;

    SharedQueries(Warehouse warehouse, Results results, Duration statementTimeout, Clock clock) {
        this.warehouse = warehouse;
        this.results = results;
        this.statementTimeout = statementTimeout;
        this.clock = clock;
    }

    /** The shared query that answers a question, attached for one more user, and how it was found. */
    record Answer(SharedQuery shared, How how) {
    }

    /**
     * Joins the question's query in flight, reuses its result if it finished within {@code window} of {@code asked}
     * (unless {@code fresh}), or submits a fresh one; the warehouse's refusal (busy, unreachable) is thrown and
     * changes nothing.
     */
    Answer ask(Question question, Selection selection, boolean fresh, Instant asked, Duration window) {
        return ask(question, selection, fresh, asked, window, "");
    }

    /** As {@link #ask(Question, Selection, boolean, Instant, Duration)}; a fresh query queues as the tenant's. */
    Answer ask(Question question, Selection selection, boolean fresh, Instant asked, Duration window, String tenant) {
        How[] how = {How.FRESH};
        SharedQuery[] superseded = {null};
        SharedQuery shared = current.compute(question, (q, existing) -> {
            if (existing != null && existing.attach()) {
                if (!existing.isFinished()) {
                    how[0] = How.JOINED;
                    return existing;
                }
                if (existing.succeeded() && !fresh && existing.reusableAt(asked, window)) {
                    how[0] = How.REUSED;
                    return existing;
                }
                existing.detach();
                superseded[0] = existing;
            }
            SharedQuery started = new SharedQuery(q, warehouse.submit(selection, tenant));
            started.attach();
            held.add(started);
            return started;
        });
        if (superseded[0] != null && superseded[0].isFinished()) {
            // a newer result answers its question now: nobody can reuse it, so it goes once nobody uses it
            drop(superseded[0]);
        }
        return new Answer(shared, how[0]);
    }

    /** The reuse policy of the settings the route passes (parsed again only when they change). */
    ReusePolicy reusePolicy(String window, String perView) {
        String settings = window + "\n" + perView;
        if (!settings.equals(reuseSettings)) {
            reuse = ReusePolicy.parse(window, perView);
            reuseSettings = settings;
        }
        return reuse;
    }

    /** The state of a shared query, enforcing the statement timeout; a final state is kept. */
    QueryState state(SharedQuery shared) {
        QueryState known = shared.finalState;
        if (known != null) {
            return known;
        }
        WarehouseStatus status = warehouse.status(shared.warehouseId);
        QueryState state = status == null ? QueryState.CANCELLED : status.state();
        if (status != null && status.timedOut()) {
            // the warehouse's own statement timeout: a timeout, as the API's own would be
            shared.timedOut = true;
            shared.timedOutByWarehouse = true;
        }
        if (!state.isFinished() && shared.elapsedMs() > statementTimeout.toMillis()) {
            shared.timedOut = true;
            warehouse.cancel(shared.warehouseId);
            state = QueryState.CANCELLED;
        }
        if (state.isFinished()) {
            StoredResult result = state == QueryState.SUCCESS ? results.result(shared.warehouseId) : null;
            shared.finish(state, status == null ? null : status.errorMessage(), result, clock.instant());
            if (state != QueryState.SUCCESS) {
                // a failed or cancelled query answers nobody who asks later
                current.remove(shared.question, shared);
            }
        }
        return state;
    }

    /** Ends one use of a shared query (an id released, a link expired, a download closed). */
    void letGo(SharedQuery shared) {
        shared.detach();
        afterDetach(shared);
    }

    /** After a use of a shared query ended: the last one out cancels a query in flight, or drops a stale result. */
    void afterDetach(SharedQuery shared) {
        current.computeIfPresent(shared.question, (q, existing) -> {
            if (existing == shared && shared.users() == 0 && !shared.isFinished()) {
                return null;
            }
            return existing;
        });
        if (shared.users() > 0) {
            return;
        }
        if (!shared.isFinished() && !state(shared).isFinished()) {
            LOG.info("result={} view={}: nobody waits for it any more; cancelling it", shared.warehouseId,
                    shared.question.view());
            drop(shared);
        } else if (!reusable(shared, clock.instant())) {
            // nobody can reuse it: another result answers its question now, it has none, or its window has passed
            drop(shared);
        }
        // else: kept for reuse until its window has passed (sweep)
    }

    private boolean reusable(SharedQuery shared, Instant now) {
        return current.get(shared.question) == shared
               && shared.reusableAt(now, reuse.windowFor(shared.question.view()));
    }

    private void drop(SharedQuery shared) {
        if (handingOff && !shared.isFinished()) {
            return; // left running in the warehouse for another replica
        }
        if (!shared.retire()) {
            return;
        }
        current.remove(shared.question, shared);
        held.remove(shared);
        warehouse.forget(shared.warehouseId);
    }

    /** Drops the results nobody uses and nobody can reuse any more. */
    void sweep(Instant now) {
        for (SharedQuery shared : held) {
            if (shared.users() == 0 && !reusable(shared, now)) {
                drop(shared);
            }
        }
    }

    /** The shared query of a warehouse id this replica holds, attached for one more user; null if none. */
    SharedQuery attachHeld(String warehouseId) {
        for (SharedQuery shared : held) {
            if (shared.warehouseId.equals(warehouseId) && shared.attach()) {
                return shared;
            }
        }
        return null;
    }

    /** Holds a query taken up from another replica, attached for its first user. */
    SharedQuery holdAdopted(String view, String warehouseId) {
        SharedQuery adopted = new SharedQuery(Question.adopted(view, warehouseId), warehouseId);
        adopted.attach();
        held.add(adopted);
        return adopted;
    }

    /** The held queries still running in the warehouse. */
    java.util.List<SharedQuery> running() {
        return held.stream().filter(shared -> !shared.isFinished() && !state(shared).isFinished()).toList();
    }

    /** From now on no query is cancelled or dropped while it runs: the warehouse runs them on for other replicas. */
    void handOff() {
        handingOff = true;
    }

    boolean handingOff() {
        return handingOff;
    }

    /** How many warehouse queries are known and not yet finished. */
    long inFlight() {
        return held.stream().filter(shared -> !shared.isFinished()).count();
    }

    /** How many results are held, for ids or for reuse. */
    int heldCount() {
        return held.size();
    }
}
