package io.warehouseapi.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.warehouseapi.model.Owner;
import io.warehouseapi.model.QueryState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query ids this replica holds, and the rules of their lives: at most {@code results.max-ids-per-client}
 * finished ids per owner, naming at most {@code results.max-results-per-client} distinct results (the oldest
 * forgotten first), forgotten after the retention or their expiry, given up when
 * the connection waiting for them closes (a principal's, after the resume grace, unless taken up again), and never
 * kept for a connection that closed before its query was submitted.
 */
final class QueryIds {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    private final Map<String, QueryHandle> handles = new ConcurrentHashMap<>();
    /** The same handles by owner, so that a request's checks read its owner's ids, not every id held. */
    private final Map<Owner, Set<QueryHandle>> byOwner = new ConcurrentHashMap<>();
    /** The ids of each tenant's principals (under access policies with tenants), for its cap. */
    private final Map<String, Set<QueryHandle>> byTenant = new ConcurrentHashMap<>();
    private final SharedQueries queries;
    private final Clock clock;
    private final Duration retention;
    private final Duration resumeGrace;
    private final ScheduledExecutorService timer;
    private volatile Predicate<String> connectionOpen = connection -> true;
    private volatile int maxFinishedPerOwner = ClientLimits.DEFAULTS.idsPerClient();
    private volatile int maxResultsPerOwner = ClientLimits.DEFAULTS.resultsPerClient();

    /**
     * @param retention   how long a finished id is kept ({@code results.retention})
     * @param resumeGrace how long a principal's running query outlives its connection ({@code api.resume-grace})
     * @param timer       where the end of a resume grace is scheduled
     */
    QueryIds(SharedQueries queries, Clock clock, Duration retention, Duration resumeGrace,
             ScheduledExecutorService timer) {
        this.queries = queries;
        this.clock = clock;
        this.retention = retention;
        this.resumeGrace = resumeGrace;
        this.timer = timer;
    }

    void connectionsOpen(Predicate<String> isOpen) {
        this.connectionOpen = isOpen;
    }

    void keepFinished(int max) {
        this.maxFinishedPerOwner = max;
    }

    void keepResults(int max) {
        this.maxResultsPerOwner = max;
    }

    QueryHandle get(String queryId) {
        return queryId == null ? null : handles.get(queryId);
    }

    /**
     * Records a new id: forgets its owner's oldest finished ids beyond the bound, and gives it up at once if its
     * connection closed meanwhile (recorded first, checked after, so that a connection's release cannot slip by).
     */
    void add(QueryHandle handle) {
        handles.put(handle.id, handle);
        indexed(handle);
        forgetOldestFinished(handle);
        if (!connectionOpen.test(handle.connection)) {
            LOG.info("query={} view={}: its connection closed before the query was submitted", handle.id,
                    handle.view());
            release(handle.connection);
        }
    }

    /** Records an id taken up from another replica, unless one is recorded already; returns the one that is. */
    QueryHandle addAdopted(QueryHandle handle) {
        QueryHandle known = handles.putIfAbsent(handle.id, handle);
        if (known != null) {
            return known;
        }
        indexed(handle);
        return handle;
    }

    private void indexed(QueryHandle handle) {
        if (handle.tenant != null) {
            byTenant.compute(handle.tenant, (tenant, held) -> {
                Set<QueryHandle> set = held != null ? held : ConcurrentHashMap.newKeySet();
                set.add(handle);
                return set;
            });
        }
        byOwner.compute(handle.owner, (owner, held) -> {
            Set<QueryHandle> set = held != null ? held : ConcurrentHashMap.newKeySet();
            set.add(handle);
            return set;
        });
    }

    private void unindexed(QueryHandle handle) {
        if (handle.tenant != null) {
            byTenant.computeIfPresent(handle.tenant, (tenant, held) -> {
                held.remove(handle);
                return held.isEmpty() ? null : held;
            });
        }
        byOwner.computeIfPresent(handle.owner, (owner, held) -> {
            held.remove(handle);
            return held.isEmpty() ? null : held;
        });
    }

    private Set<QueryHandle> heldBy(Owner owner) {
        return byOwner.getOrDefault(owner, Set.of());
    }

    /**
     * How many ids still wait for their queries on a connection, signed in now as {@code owner}: its owner's and those
     * it asked for before it signed in.
     */
    long runningOn(String connection, Owner owner) {
        long running = runningOn(connection, heldBy(owner));
        Owner anonymous = Owner.ofConnection(connection);
        return anonymous.equals(owner) ? running : running + runningOn(connection, heldBy(anonymous));
    }

    private static long runningOn(String connection, Set<QueryHandle> held) {
        return held.stream().filter(h -> h.connection.equals(connection) && !h.isFinished()).count();
    }

    /** How many ids of a tenant's principals still wait for their queries. */
    long runningOfTenant(String tenant) {
        return byTenant.getOrDefault(tenant, Set.of()).stream().filter(h -> !h.isFinished()).count();
    }

    /** How many of an owner's ids still wait for their queries, on any of its connections or none. */
    long runningOf(Owner owner) {
        return heldBy(owner).stream().filter(h -> !h.isFinished()).count();
    }

    /** Whether a principal still waits for some query (whose connection may be gone). */
    boolean principalWaiting() {
        return handles.values().stream().anyMatch(h -> h.owner.isPrincipal() && !h.isFinished());
    }

    /** Whether a principal's id uses a shared query. */
    boolean awaitedByPrincipal(SharedQuery shared) {
        return handles.values().stream().anyMatch(h -> h.shared == shared && h.owner.isPrincipal());
    }

    /** Ends every run_view's waiting (at shutdown), leaving their queries as they are. */
    void stopWaiting() {
        for (QueryHandle handle : handles.values()) {
            if (!handle.isFinished() && !stateOf(handle).isFinished()) {
                handle.cancel();
            }
        }
    }

    /** The state of an id's query: its own cancel, else its shared query's. */
    QueryState stateOf(QueryHandle handle) {
        QueryState state = handle.isCancelled() ? QueryState.CANCELLED : queries.state(handle.shared);
        if (handle.adopted && state.isFinished() && handle.finishedAt == 0) {
            // no run_view route waits for a query taken up: its end is seen here
            handle.finishedAt = System.nanoTime();
        }
        return state;
    }

    /** Ends one id's use of its shared query: the last one out cancels a query in flight, or drops a stale result. */
    void release(QueryHandle handle) {
        if (handle.release()) {
            queries.afterDetach(handle.shared);
        }
    }

    /** Forgets an id and its use of its result. */
    void forget(QueryHandle handle) {
        if (handles.remove(handle.id, handle)) {
            unindexed(handle);
            release(handle);
        }
    }

    /**
     * A connection has gone: the queries it waited for are given up (cancelled in the warehouse when nobody else waits
     * for them), except a principal's, kept for the resume grace (or for good while handing off); its finished ids are
     * forgotten when the connection was their owner, and stay readable by their principal otherwise.
     */
    void release(String connection) {
        handles.values().removeIf(handle -> {
            if (!handle.connection.equals(connection)) {
                return false;
            }
            QueryState state = stateOf(handle);
            if (state.isFinished() && !handle.owner.isConnection(connection)) {
                return false;
            }
            boolean handingOff = queries.handingOff();
            if (!state.isFinished() && handle.owner.isPrincipal()
                && (handingOff || !resumeGrace.isZero() && !resumeGrace.isNegative())) {
                // its principal may take it up again from another connection, on this replica or another
                handle.orphaned = true;
                handle.connection = handle.owner.key();
                if (!handingOff) {
                    LOG.info("query={} view={}: its connection closed; kept running for {} for its principal",
                            handle.id, handle.view(), resumeGrace);
                    timer.schedule(() -> abandonIfOrphaned(handle), resumeGrace.toMillis(), TimeUnit.MILLISECONDS);
                }
                return false;
            }
            if (!state.isFinished()) {
                LOG.info("query={} view={}: its connection closed; giving it up", handle.id, handle.view());
                handle.giveUp();
            }
            unindexed(handle);
            release(handle);
            return true;
        });
    }

    /** A principal's query whose connection closed and which nobody took up within the resume grace is given up. */
    private void abandonIfOrphaned(QueryHandle handle) {
        if (!handle.orphaned || queries.handingOff() || stateOf(handle).isFinished()) {
            return;
        }
        LOG.info("query={} view={}: not taken up within {} of its connection closing; giving it up", handle.id,
                handle.view(), resumeGrace);
        handle.giveUp();
        forget(handle);
    }

    /**
     * Keeps, per owner (a connection, or a principal across its connections), at most
     * {@code results.max-ids-per-client} finished ids, naming at most {@code results.max-results-per-client} distinct
     * stored results, counting the id being issued and its result: the oldest finished are forgotten first, as if
     * they had expired, and a result goes with the last id that holds it. Many ids reusing one result count it once.
     * Ids still running are never forgotten here (their number has its own cap).
     */
    private void forgetOldestFinished(QueryHandle issued) {
        List<QueryHandle> finished = new ArrayList<>();
        for (QueryHandle handle : heldBy(issued.owner)) {
            if (handle.isFinished()) {
                finished.add(handle);
            }
        }
        if (finished.size() < maxFinishedPerOwner && finished.size() < maxResultsPerOwner) {
            return; // within both bounds, however many results they share
        }
        // newest first: each kept while there is room for it and for its result
        finished.sort((a, b) -> Long.signum(b.finishedAt - a.finishedAt));
        Set<SharedQuery> results = new HashSet<>();
        results.add(issued.shared);
        int kept = 1;
        int forgotten = 0;
        for (QueryHandle handle : finished) {
            boolean room = kept < maxFinishedPerOwner
                           && (results.contains(handle.shared) || results.size() < maxResultsPerOwner);
            if (room) {
                kept++;
                results.add(handle.shared);
            } else {
                forget(handle);
                forgotten++;
            }
        }
        if (forgotten > 0) {
            LOG.debug("Forgot {} finished query ids of one client beyond {} ids or {} results", forgotten,
                    maxFinishedPerOwner, maxResultsPerOwner);
        }
    }

    /** Forgets the finished ids older than the retention or past their expiry; returns how many. */
    int evictExpired() {
        long cutoff = System.nanoTime() - retention.toNanos();
        Instant now = clock.instant();
        int[] evicted = {0};
        handles.values().removeIf(handle -> {
            if (handle.isFinished() && (handle.finishedAt - cutoff < 0 || !now.isBefore(handle.expiresAt))) {
                unindexed(handle);
                release(handle);
                evicted[0]++;
                return true;
            }
            return false;
        });
        return evicted[0];
    }

    int size() {
        return handles.size();
    }
}
