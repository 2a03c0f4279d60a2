package io.warehouseapi.warehouse;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool for warehouse queries whose queue serves tenants fairly: each queued query is ranked one after its
 * tenant's previous one, and never before the rank of the query that started last (start-time fair queuing), so that
 * a tenant's burst waits behind itself, and another tenant's query starts after at most one more of the burst's. With
 * one tenant (or none) it is first come, first served. At most {@code maxQueued} queries wait; one more is refused.
 */
public final class FairExecutor implements AutoCloseable {

    private final ThreadPoolExecutor pool;
    private final int maxQueued;
    /** The rank each tenant's last queued query got; a tenant whose last rank has passed is forgotten. */
    private final Map<String, Long> lastRank = new HashMap<>();
    private long startedRank;
    private long arrivals;

    public FairExecutor(int threads, int maxQueued, String name) {
        this.maxQueued = maxQueued;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(),
                factory);
    }

    /**
     * Queues a task of a tenant ("" when there are no tenants).
     *
     * @throws RejectedExecutionException when {@code maxQueued} tasks wait already, or the pool has stopped
     */
    public Future<?> submit(String tenant, Runnable task) {
        Ranked ranked;
        synchronized (this) {
            if (pool.getQueue().size() >= maxQueued) {
                throw new RejectedExecutionException("the query queue is full");
            }
            long rank = Math.max(startedRank, lastRank.getOrDefault(tenant, 0L)) + 1;
            lastRank.put(tenant, rank);
            if (lastRank.size() > 1024) {
                lastRank.values().removeIf(last -> last <= startedRank);
            }
            ranked = new Ranked(task, rank, arrivals++);
        }
        pool.execute(ranked);
        return ranked;
    }

    /** How many tasks wait for a thread. */
    public int queued() {
        return pool.getQueue().size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private synchronized void started(long rank) {
        startedRank = Math.max(startedRank, rank);
    }

    private final class Ranked extends FutureTask<Void> implements Comparable<Ranked> {

        private final long rank;
        private final long arrival;

        Ranked(Runnable task, long rank, long arrival) {
            super(task, null);
            this.rank = rank;
            this.arrival = arrival;
        }

        @Override
        public void run() {
            started(rank);
            super.run();
        }

        @Override
        public int compareTo(Ranked other) {
            int byRank = Long.compare(rank, other.rank);
            return byRank != 0 ? byRank : Long.compare(arrival, other.arrival);
        }
    }
}
