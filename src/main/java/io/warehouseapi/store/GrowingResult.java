package io.warehouseapi.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.warehouseapi.model.Column;

/**
 * A result while it is written into the store, streaming: how many of its rows are stored and readable so far (the
 * store commits them in growing batches), with waits for a number of rows. A wait completes once that many rows are
 * stored or the writing has ended, however it ended, so no wait outlives its query. Rows once counted stay readable
 * until the result is dropped, which ends it (a copy read again from its start is a new one).
 * <p>
 * A result the engine stores in one statement ({@link ResultStore#capturing}) is readable only once whole; until then
 * its readable rows are the {@link FirstRows} the engine handed over first, and the rows it has handed over so far
 * are counted apart ({@link #arrived}).
 */
public final class GrowingResult {

    private final String queryId;
    private final String table;
    private final List<Column> columns;
    private final java.time.Instant since;
    private final FirstRows firstRows;
    private long stored;
    private long arrived;
    private boolean ended;
    private final TreeMap<Long, List<CompletableFuture<Void>>> waits = new TreeMap<>();

    GrowingResult(String queryId, String table, List<Column> columns, java.time.Instant since) {
        this(queryId, table, columns, since, null);
    }

    GrowingResult(String queryId, String table, List<Column> columns, java.time.Instant since, FirstRows firstRows) {
        this.firstRows = firstRows;
        this.queryId = queryId;
        this.table = table;
        this.columns = List.copyOf(columns);
        this.since = since;
    }

    /** When the writing began: the stored result's {@code storedAt}, and the {@code computed_at} of its pages. */
    public java.time.Instant since() {
        return since;
    }

    public String queryId() {
        return queryId;
    }

    String table() {
        return table;
    }

    /** The columns as clients see them. */
    public List<Column> columns() {
        return columns;
    }

    /** How many rows are stored and readable. */
    public synchronized long stored() {
        return stored;
    }

    /** The first rows kept while the engine stores the rest in one statement, or null for a copy. */
    public FirstRows firstRows() {
        return firstRows;
    }

    /** How many rows are stored so far, readable or not yet (the engine's statement commits them at its end). */
    public synchronized long progress() {
        return Math.max(stored, arrived);
    }

    /** The engine has handed over {@code rows} rows so far. */
    public synchronized void arrived(long rows) {
        arrived = Math.max(arrived, rows);
    }

    /** Whether the writing has ended (stored whole, stopped or failed). */
    public synchronized boolean ended() {
        return ended;
    }

    /** Completes once {@code rows} rows are stored, or the writing has ended. */
    public CompletionStage<Void> atLeast(long rows) {
        CompletableFuture<Void> wait = new CompletableFuture<>();
        synchronized (this) {
            if (ended || stored >= rows) {
                wait.complete(null);
            } else {
                waits.computeIfAbsent(rows, ignored -> new ArrayList<>()).add(wait);
            }
        }
        return wait;
    }

    /** {@code rows} rows are now stored and readable. */
    public void stored(long rows) {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        synchronized (this) {
            stored = Math.max(stored, rows);
            Map<Long, List<CompletableFuture<Void>>> reached = waits.headMap(stored, true);
            reached.values().forEach(due::addAll);
            reached.clear();
        }
        due.forEach(wait -> wait.complete(null));
    }

    /** The writing has ended: every wait completes. */
    public void end() {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        synchronized (this) {
            ended = true;
            waits.values().forEach(due::addAll);
            waits.clear();
        }
        due.forEach(wait -> wait.complete(null));
    }
}
