package io.warehouseapi.query;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import io.warehouseapi.model.Column;
import io.warehouseapi.model.ExposedView;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.StoredResult;
import io.warehouseapi.warehouse.ViewCatalog;
import io.warehouseapi.warehouse.Results;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseStatus;

/**
 * A warehouse in memory for the query service's rules: one view, {@code TRIPS (ID INTEGER)}; a submitted query stays
 * {@code QUEUED} until the test ends it ({@link #succeed}, {@link #fail}), so that what is shared, reused, owned and
 * kept can be asked at any moment. Its results are stored at the given clock's time, which the reuse window is
 * measured from. Its view catalog is the fixed list of {@link #views()}. Made {@link #sharedByReplicas}, it behaves as
 * Snowflake does for replicas: any of them can take up a query by its id, and queries outlive the process. A result
 * can also be stored as it arrives ({@link #storing}, {@link #stored}), as Snowflake's copy is: its query runs while
 * its first rows are readable.
 */
final class InMemoryWarehouse implements Warehouse {

    static final Column ID = new Column("ID", "INTEGER");
    static final ExposedView TRIPS = new ExposedView("TRIPS", "\"TRIPS\"", List.of(ID), "v1");

    private final Clock clock;
    private final Map<String, QueryState> states = new ConcurrentHashMap<>();
    private final Map<String, StoredResult> results = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> ended = new ConcurrentHashMap<>();
    /** Rows stored so far of the results being stored as they arrive, and since when, until their query ends. */
    private final Map<String, Long> storedRows = new ConcurrentHashMap<>();
    private final Map<String, java.time.Instant> storingSince = new ConcurrentHashMap<>();
    private final List<RowsWait> rowsWaits = new ArrayList<>();

    private record RowsWait(String queryId, long rows, CompletableFuture<Void> done) {
    }
    final List<Selection> submitted = new ArrayList<>();
    private final List<String> submittedIds = new ArrayList<>();
    final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    final Set<String> forgotten = ConcurrentHashMap.newKeySet();
    /** Whether several query services (replicas) share its queries. */
    volatile boolean sharedByReplicas;
    /** How long this warehouse keeps a result, as Snowflake's 24 hours; null: no limit of its own. */
    volatile Duration resultLifetime;

    InMemoryWarehouse(Clock clock) {
        this.clock = clock;
    }

    /**
     * Ends a query with {@code rows} rows (ids 1 to rows), stored now or, if it was stored as it arrived, since its
     * storing began.
     */
    void succeed(String queryId, long rows) {
        java.time.Instant storedAt = storingSince.getOrDefault(queryId, clock.instant());
        results.put(queryId, new StoredResult(queryId, "r_" + queryId.replace('-', '_'), List.of(ID), List.of(ID),
                rows, storedAt));
        end(queryId, QueryState.SUCCESS);
    }

    /** A query runs, and its result is stored as it arrives, from now: {@code rows} rows so far. */
    void storing(String queryId, long rows) {
        states.put(queryId, QueryState.RUNNING);
        storingSince.putIfAbsent(queryId, clock.instant());
        stored(queryId, rows);
    }

    /** {@code rows} rows of a result being stored are stored: waits for as many are over. */
    void stored(String queryId, long rows) {
        List<RowsWait> due;
        synchronized (rowsWaits) {
            storedRows.put(queryId, rows);
            due = takeWaits(queryId, rows);
        }
        due.forEach(wait -> wait.done.complete(null));
    }

    /** Removes and returns the waits of a query for at most {@code rows} rows. */
    private List<RowsWait> takeWaits(String queryId, long rows) {
        List<RowsWait> due = rowsWaits.stream().filter(wait -> wait.queryId.equals(queryId) && wait.rows <= rows)
                .toList();
        rowsWaits.removeAll(due);
        return due;
    }

    void fail(String queryId) {
        end(queryId, QueryState.FAILED);
    }

    private void end(String queryId, QueryState state) {
        states.put(queryId, state);
        List<RowsWait> due;
        synchronized (rowsWaits) {
            // the storing ends with its query, however it ended, and so does every wait for its rows
            storedRows.remove(queryId);
            storingSince.remove(queryId);
            due = takeWaits(queryId, Long.MAX_VALUE);
        }
        due.forEach(wait -> wait.done.complete(null));
        ended.computeIfAbsent(queryId, id -> new CompletableFuture<>()).complete(null);
    }

    /** The page of ids of a result, {@code total} of them ({@link Page#UNKNOWN_TOTAL} while being stored). */
    private static Page ids(String queryId, long offset, int pageSize, long available, long total) {
        List<Object[]> rows = new ArrayList<>();
        for (long id = offset + 1; id <= Math.min(available, offset + pageSize); id++) {
            rows.add(new Object[] {id});
        }
        return Page.of(queryId, offset, pageSize, total, List.of(ID), rows);
    }

    /** The warehouse id of the n-th query submitted (from 0). */
    synchronized String queryId(int n) {
        return submittedIds.get(n);
    }

    /** The results of the queries that succeeded: their pages hold the ids 1 to the row count. */
    private final Results readable = new Results() {
        @Override
        public StoredResult result(String queryId) {
            return results.get(queryId);
        }

        @Override
        public Page readPage(String queryId, long offset, int pageSize) {
            StoredResult result = results.get(queryId);
            if (result == null) {
                return null;
            }
            return ids(queryId, offset, pageSize, result.totalRows(), result.totalRows());
        }

        @Override
        public Page readGrowingPage(String queryId, long offset, int pageSize) {
            Long stored = storedRows.get(queryId);
            return stored == null || offset + pageSize > stored
                    ? null : ids(queryId, offset, pageSize, stored, Page.UNKNOWN_TOTAL);
        }

        @Override
        public long storedRows(String queryId) {
            return storedRows.getOrDefault(queryId, -1L);
        }

        @Override
        public Optional<java.time.Instant> storingSince(String queryId) {
            return Optional.ofNullable(storingSince.get(queryId));
        }

        @Override
        public Optional<CompletionStage<Void>> whenStored(String queryId, long rows) {
            synchronized (rowsWaits) {
                Long stored = storedRows.get(queryId);
                if (stored == null) {
                    return Optional.empty();
                }
                CompletableFuture<Void> done = new CompletableFuture<>();
                if (stored >= rows) {
                    done.complete(null);
                } else {
                    rowsWaits.add(new RowsWait(queryId, rows, done));
                }
                return Optional.of(done);
            }
        }

        @Override
        public InputStream export(String queryId, ExportFormat format, Runnable onClose) {
            if (!results.containsKey(queryId)) {
                return null;
            }
            return new ByteArrayInputStream("ID\n".getBytes(StandardCharsets.UTF_8)) {
                @Override
                public void close() {
                    onClose.run();
                }
            };
        }
    };

    @Override
    public String kind() {
        return "in-memory";
    }

    @Override
    public ViewCatalog catalog() {
        throw new UnsupportedOperationException("views() answers for the catalog");
    }

    @Override
    public List<ExposedView> views() {
        return List.of(TRIPS);
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public synchronized String submit(Selection selection) {
        String id = UUID.randomUUID().toString();
        submitted.add(selection);
        submittedIds.add(id);
        states.put(id, QueryState.QUEUED);
        return id;
    }

    @Override
    public WarehouseStatus status(String queryId) {
        QueryState state = states.get(queryId);
        if (state == null) {
            return null;
        }
        return state == QueryState.FAILED ? WarehouseStatus.failed("it failed") : WarehouseStatus.of(state);
    }

    @Override
    public Optional<CompletionStage<Void>> whenEnded(String queryId) {
        return Optional.of(ended.computeIfAbsent(queryId, id -> new CompletableFuture<>()));
    }

    @Override
    public void cancel(String queryId) {
        if (states.containsKey(queryId) && !states.get(queryId).isFinished()) {
            cancelled.add(queryId);
            end(queryId, QueryState.CANCELLED);
        }
    }

    @Override
    public Results results() {
        return readable;
    }

    @Override
    public String adopt(String queryId) {
        return sharedByReplicas && states.containsKey(queryId) ? TRIPS.name() : null;
    }

    @Override
    public boolean outlivesProcess() {
        return sharedByReplicas;
    }

    @Override
    public void forget(String queryId) {
        // as the port says: a query that still runs is cancelled
        cancel(queryId);
        forgotten.add(queryId);
        results.remove(queryId);
    }

    @Override
    public int runningStatements() {
        return (int) states.values().stream().filter(state -> !state.isFinished()).count();
    }

    @Override
    public Duration resultLifetime() {
        return resultLifetime;
    }
}
