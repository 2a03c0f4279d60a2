package io.warehouseapi.embedded;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** A fixed pool of DuckDB connections, as the warehouse and the result store use them. */
public final class DuckDbPool {

    private DuckDbPool() {
    }

    /** A pool of {@code size} connections to {@code url}, each starting with {@code initSql} (if not null). */
    public static HikariDataSource open(String name, String url, String initSql, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url);
        config.setConnectionInitSql(initSql);
        config.setDriverClassName("org.duckdb.DuckDBDriver");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }
}
