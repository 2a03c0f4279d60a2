package io.warehouseapi.snowflake;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.warehouseapi.warehouse.WarehouseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Snowflake sessions the adapter works in: the service's own pool, and a pool per role of the access policies
 * ({@code snowflake_role}). Work meets an expired sign-in (390114) with a new one, and copies of results, which hold a
 * session for a whole download, leave one session of each pool free for submits and polls.
 */
final class SnowflakeSessions {

    private static final Logger LOG = LoggerFactory.getLogger(SnowflakeSessions.class);
    /** Snowflake's error 390114: the session's master token has expired; it must sign in again. */
    private static final int MASTER_TOKEN_EXPIRED = 390114;

    private final DataSource service;
    private final RolePools rolePools;
    /** Per pool (by role; "" for the service's own), the copies that may hold one of its sessions at once. */
    private final Map<String, Semaphore> copySlots = new ConcurrentHashMap<>();

    /** Work done in one Snowflake session. */
    interface Work<T> {
        T in(Connection connection) throws SQLException;
    }

    /**
     * @param rolePools the pools of the roles the access policies name; null: none
     */
    SnowflakeSessions(DataSource service, RolePools rolePools) {
        this.service = service;
        this.rolePools = rolePools;
    }

    /** The sessions a role's queries run in: the service's own pool, or the role's. */
    DataSource pool(String role) {
        if (role == null) {
            return service;
        }
        if (rolePools == null) {
            throw new WarehouseException(WarehouseException.Reason.UNREACHABLE, "no pool for Snowflake role " + role);
        }
        return rolePools.forRole(role);
    }

    /**
     * Does some work in a session of a role's pool. A session whose master token has expired (390114: the driver
     * cannot renew it) is taken out of its pool, with the pool's other sessions, and the work done once more in a new
     * session, which signs in again, so that the request that meets the expiry is answered, not failed.
     */
    <T> T in(String role, Work<T> work) throws SQLException {
        DataSource sessions = pool(role);
        Connection connection = sessions.getConnection();
        try {
            return work.in(connection);
        } catch (SQLException e) {
            if (!signInExpired(e)) {
                throw e;
            }
            LOG.info("A Snowflake session's sign-in has expired (390114); signing in again");
            if (sessions instanceof HikariDataSource hikari) {
                // the pool's other sessions signed in about as long ago: they are renewed as well, each when free
                hikari.evictConnection(connection);
                hikari.getHikariPoolMXBean().softEvictConnections();
            }
            try (Connection fresh = sessions.getConnection()) {
                return work.in(fresh);
            }
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing a Snowflake session: {}", e.getMessage());
            }
        }
    }

    /**
     * Does a copy's work in a session of a role's pool, once a copy may hold one: one fewer than the pool's sessions
     * at once, so that a submit or a poll always finds one free however many results are being copied.
     */
    <T> T forCopy(String role, Work<T> work) throws SQLException {
        Semaphore slots = copySlots.computeIfAbsent(role == null ? "" : role, key -> {
            DataSource sessions = pool(role);
            int size = sessions instanceof HikariDataSource hikari ? hikari.getMaximumPoolSize() : 2;
            return new Semaphore(Math.max(1, size - 1), true);
        });
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a session to copy a result", e);
        }
        try {
            return in(role, work);
        } finally {
            slots.release();
        }
    }

    /**
     * Whether Snowflake can be reached, by a session's heartbeat, which it answers without a warehouse (a statement
     * would keep the warehouse running).
     */
    boolean reachable() {
        try (Connection connection = service.getConnection()) {
            if (connection.isValid(10)) {
                return true;
            }
            LOG.warn("Snowflake did not answer a session's heartbeat");
        } catch (SQLException e) {
            LOG.warn("Snowflake cannot be reached: {}", e.getMessage() == null ? e : e.getMessage().lines().findFirst()
                    .orElse(""));
        }
        return false;
    }

    /** Whether Snowflake refused because the session's master token has expired (390114). */
    private static boolean signInExpired(SQLException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getErrorCode() == MASTER_TOKEN_EXPIRED) {
                return true;
            }
        }
        return false;
    }
}
