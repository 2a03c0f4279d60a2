package io.warehouseapi.snowflake;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.warehouseapi.warehouse.WarehouseException;

/**
 * A small pool of Snowflake sessions for each role the access policies name ({@code snowflake_role}), so that a
 * principal's queries run under its role and Snowflake's own grants and row access policies apply on top of the
 * API's. A pool is opened (and signs in) when its role is first needed; at most {@code maxRoles} are open.
 */
public final class RolePools implements AutoCloseable {

    private final Function<String, HikariDataSource> open;
    private final int maxRoles;
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

    /** @param open opens a pool of sessions under a role (see {@link SnowflakeSettings#dataSource(String, int)}) */
    public RolePools(Function<String, HikariDataSource> open, int maxRoles) {
        this.open = open;
        this.maxRoles = maxRoles;
    }

    /** The pool of a role, opened if it is not yet. */
    public DataSource forRole(String role) {
        HikariDataSource pool = pools.get(role);
        if (pool != null) {
            return pool;
        }
        synchronized (this) {
            if (!pools.containsKey(role) && pools.size() >= maxRoles) {
                throw new WarehouseException(WarehouseException.Reason.BUSY,
                        "more Snowflake roles are in use than the " + maxRoles + " pools allowed");
            }
            return pools.computeIfAbsent(role, open);
        }
    }

    /** The roles whose pools are open. */
    public Set<String> roles() {
        return Set.copyOf(pools.keySet());
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
