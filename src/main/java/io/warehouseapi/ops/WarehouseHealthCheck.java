package io.warehouseapi.ops;

import java.util.Map;

import io.warehouseapi.transport.Connections;
import io.warehouseapi.warehouse.Warehouse;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: not while shutting down, and otherwise whether the warehouse answered its last call (the periodic
 * catalog read, refresh-view-catalog, or a query). The check itself never calls the warehouse, so that it answers at
 * once however the warehouse is.
 */
public class WarehouseHealthCheck extends AbstractHealthCheck {

    private final Warehouse warehouse;
    private final Connections connections;

    public WarehouseHealthCheck(Warehouse warehouse, Connections connections) {
        super("warehouse-api", "warehouse");
        this.warehouse = warehouse;
        this.connections = connections;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("warehouse", warehouse.kind());
        if (connections.isRefusing()) {
            // a load balancer sends new connections elsewhere
            builder.message("Shutting down").down();
        } else if (warehouse.isAvailable()) {
            // not a use of the catalog: probes alone do not keep it being read
            builder.detail("views", warehouse.catalog().size());
            builder.up();
        } else {
            builder.message("The " + warehouse.kind() + " warehouse cannot be reached").down();
        }
    }
}
