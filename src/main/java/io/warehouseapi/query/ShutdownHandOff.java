package io.warehouseapi.query;

import io.warehouseapi.warehouse.Warehouse;

/**
 * What becomes of running queries at shutdown. Where the warehouse runs queries on without this process (Snowflake)
 * and a principal waits for one, it is left running for the replica its client reaches next to take up; every other
 * running query is cancelled, as on a single server.
 */
final class ShutdownHandOff {

    private final Warehouse warehouse;
    private final SharedQueries queries;
    private final QueryIds handles;

    ShutdownHandOff(Warehouse warehouse, SharedQueries queries, QueryIds handles) {
        this.warehouse = warehouse;
        this.queries = queries;
        this.handles = handles;
    }

    /** Whether queries are left running for other replicas rather than cancelled. */
    boolean handsOff() {
        return warehouse.outlivesProcess() && handles.principalWaiting();
    }

    /**
     * Leaves every query a principal waits for running, cancels the others, and ends this process's own waiting for
     * all of them. Call once connections are closed. Returns how many queries were left running.
     */
    int handOff() {
        queries.handOff();
        int left = 0;
        for (SharedQuery shared : queries.running()) {
            if (handles.awaitedByPrincipal(shared)) {
                left++;
            } else {
                warehouse.cancel(shared.warehouseId);
            }
        }
        // their run_view routes end; their queries do not
        handles.stopWaiting();
        return left;
    }

    /** Cancels every warehouse query still running; returns how many. */
    int cancelAll() {
        int cancelled = 0;
        for (SharedQuery shared : queries.running()) {
            warehouse.cancel(shared.warehouseId);
            cancelled++;
        }
        return cancelled;
    }
}
