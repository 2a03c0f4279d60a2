package io.warehouseapi.ops;

import java.time.Duration;

import io.warehouseapi.query.QueryService;
import io.warehouseapi.transport.Connections;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.InflightRepository;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the application stops (SIGTERM): refuses new connections and reports itself not ready (so that a load balancer
 * sends new connections elsewhere), serves its open connections for {@code api.shutdown.drain-delay} while the load
 * balancer notices, lets running queries finish for up to {@code api.shutdown.grace}, and closes every connection
 * with 1001 (going away), before Camel stops the routes. Queries still running then are cancelled in the warehouse,
 * except where the warehouse runs them on without this process (Snowflake): those a principal waits for are left
 * running, for the replica its client reconnects to.
 */
public class GracefulShutdown extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final short GOING_AWAY = 1001;
    private static final String RUN_VIEW_ROUTE = "run-view";

    private final Connections connections;
    private final QueryService queries;
    private final Duration grace;
    private final Duration drainDelay;

    public GracefulShutdown(Connections connections, QueryService queries, Duration grace, Duration drainDelay) {
        this.connections = connections;
        this.queries = queries;
        this.grace = grace;
        this.drainDelay = drainDelay;
        setIgnoreExchangeEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    @Override
    public void notify(CamelEvent event) throws Exception {
        InflightRepository inflight = ((CamelEvent.CamelContextEvent) event).getContext().getInflightRepository();
        connections.refuseNew();
        queries.stopping();
        LOG.info("Shutting down: {} queries running, {} connections open; waiting up to {} for the queries",
                queries.inFlight(), connections.openCount(), drainDelay.plus(grace));
        if (!drainDelay.isZero() && !drainDelay.isNegative()) {
            Thread.sleep(drainDelay.toMillis());
        }
        // a run_view is done once its route has sent its last reply
        long deadline = System.nanoTime() + grace.toNanos();
        while (inflight.size(RUN_VIEW_ROUTE) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (queries.handsOffAtShutdown()) {
            int closed = connections.closeAll(GOING_AWAY, "Server shutting down");
            int left = queries.handOff();
            LOG.info("Closed {} connections with 1001; left {} queries running in the warehouse for the replicas "
                     + "their clients reach next", closed, left);
            return;
        }
        int cancelled = queries.cancelAll();
        if (cancelled > 0) {
            LOG.info("Cancelled {} queries still running after {}", cancelled, grace);
            // let their run_view routes send their QUERY_CANCELLED replies
            long repliesDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (inflight.size(RUN_VIEW_ROUTE) > 0 && System.nanoTime() < repliesDeadline) {
                Thread.sleep(20);
            }
        }
        int closed = connections.closeAll(GOING_AWAY, "Server shutting down");
        LOG.info("Closed {} connections with 1001", closed);
    }
}
