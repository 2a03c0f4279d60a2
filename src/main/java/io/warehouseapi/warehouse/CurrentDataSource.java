package io.warehouseapi.warehouse;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The pooled {@code DataSource} of the warehouse the API is connected to now, as the registry's
 * {@code warehouseDataSource} for the routes' {@code jdbc:} steps: the adapter's pool is made when the warehouse is
 * opened, which may be after start, and again after it was lost.
 */
public class CurrentDataSource implements DataSource {

    private volatile DataSource target;

    /** Points at the pool of the warehouse just opened. */
    public void use(DataSource dataSource) {
        this.target = dataSource;
    }

    private DataSource target() throws SQLException {
        DataSource current = target;
        if (current == null) {
            throw new SQLException("The warehouse is not connected");
        }
        return current;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return target().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return target().getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target().getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target().setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target().setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target().getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return target().unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return target().isWrapperFor(type);
    }
}
