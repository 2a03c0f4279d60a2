package io.warehouseapi.query;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletionStage;

import io.warehouseapi.model.QueryState;
import io.warehouseapi.store.StoredResult;

/**
 * One warehouse query and its stored result, used by one or more query ids and export links: counts its users, and
 * once retired (dropped) takes no more.
 */
final class SharedQuery {

    final Question question;
    final String warehouseId;
    final long startedAt = System.nanoTime();
    private int users;
    private boolean retired;
    volatile QueryState finalState;
    volatile boolean timedOut;
    /** Stopped by the warehouse's own statement timeout (its words in {@link #error()}), not by the API's. */
    volatile boolean timedOutByWarehouse;
    private volatile String error;
    private volatile Instant computedAt;
    /** For a result taken up from another replica: its copy into this replica's store, while one is made. */
    volatile CompletionStage<Void> copying;

    SharedQuery(Question question, String warehouseId) {
        this.question = question;
        this.warehouseId = warehouseId;
    }

    /** Adds a user; false if the result has been dropped already. */
    synchronized boolean attach() {
        if (retired) {
            return false;
        }
        users++;
        return true;
    }

    synchronized void detach() {
        users--;
    }

    synchronized int users() {
        return users;
    }

    /** Marks the result dropped, if nobody uses it; true the first time. */
    synchronized boolean retire() {
        if (retired || users > 0) {
            return false;
        }
        retired = true;
        return true;
    }

    boolean isFinished() {
        return finalState != null;
    }

    boolean succeeded() {
        return finalState == QueryState.SUCCESS;
    }

    synchronized void finish(QueryState state, String errorMessage, StoredResult result, Instant now) {
        if (finalState != null) {
            return;
        }
        error = errorMessage;
        computedAt = (result != null ? result.storedAt() : now).truncatedTo(ChronoUnit.MILLIS);
        finalState = state;
    }

    /** Whether this result may answer a request made at {@code asked}, under a reuse window. */
    boolean reusableAt(Instant asked, Duration window) {
        Instant computed = computedAt;
        return succeeded() && computed != null && !window.isZero() && asked.isBefore(computed.plus(window));
    }

    Instant computedAt() {
        return computedAt;
    }

    String error() {
        return error == null ? "The query failed." : error;
    }

    long elapsedMs() {
        return (System.nanoTime() - startedAt) / 1_000_000;
    }
}
