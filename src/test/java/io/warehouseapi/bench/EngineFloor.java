package io.warehouseapi.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What the engine itself takes, through plain JDBC on the same database file, with the server stopped: materializing
 * a view's result into a table of an attached in-memory catalog (the statement the API runs, minus everything around
 * it) or of an attached database file, handing out a view's first 100 rows streamed, and reading a page of 100 rows
 * of the in-memory table into Java values (the page read the API runs).
 */
final class EngineFloor implements AutoCloseable {

    private final Connection connection;

    EngineFloor(Path warehouse, Path storeFile) throws Exception {
        Files.deleteIfExists(storeFile);
        Files.deleteIfExists(Path.of(storeFile + ".wal"));
        connection = DriverManager.getConnection("jdbc:duckdb:" + warehouse.toAbsolutePath());
        try (Statement statement = connection.createStatement()) {
            statement.execute("ATTACH '" + storeFile.toAbsolutePath() + "' AS floor_file");
            statement.execute("ATTACH ':memory:' AS floor_store");
        }
    }

    /**
     * Milliseconds to materialize {@code SELECT * FROM view}, once per run, each into a fresh table: of an attached
     * in-memory catalog (with DuckDB's default memory limit), or of an attached database file.
     */
    List<Double> materialize(String view, int runs, boolean inMemory) throws SQLException {
        List<Double> millis = new ArrayList<>();
        String catalog = inMemory ? "floor_store" : "floor_file";
        try (Statement statement = connection.createStatement()) {
            for (int i = 0; i < runs; i++) {
                statement.execute("DROP TABLE IF EXISTS " + catalog + ".main.result");
                long started = System.nanoTime();
                statement.execute("CREATE TABLE " + catalog + ".main.result AS SELECT * FROM main." + view);
                millis.add((System.nanoTime() - started) / 1e6);
            }
        }
        return millis;
    }

    /**
     * Milliseconds until the engine hands out the first 100 rows of {@code SELECT * FROM view}, every value read into
     * Java, streamed through plain JDBC ({@code jdbc_stream_results}, so that the engine does not materialize the
     * whole result first): the floor of a first page sent before the whole result is stored. Once per run. On a
     * database of its own: DuckDB opens a file once per process with one configuration, so this runs while no
     * {@code EngineFloor} has the file open.
     */
    static List<Double> firstRows(Path warehouse, String view, int runs) throws SQLException {
        java.util.Properties streamed = new java.util.Properties();
        streamed.setProperty("jdbc_stream_results", "true");
        List<Double> millis = new ArrayList<>();
        try (Connection streaming = DriverManager.getConnection("jdbc:duckdb:" + warehouse.toAbsolutePath(),
                streamed)) {
            for (int i = 0; i < runs; i++) {
                long started = System.nanoTime();
                double took;
                try (Statement statement = streaming.createStatement();
                     ResultSet rs = statement.executeQuery("SELECT * FROM main." + view)) {
                    int columns = rs.getMetaData().getColumnCount();
                    int read = 0;
                    while (read < 100 && rs.next()) {
                        for (int c = 1; c <= columns; c++) {
                            rs.getObject(c);
                        }
                        read++;
                    }
                    took = (System.nanoTime() - started) / 1e6;
                    if (read < 100) {
                        throw new IllegalStateException("The view has only " + read + " rows");
                    }
                }
                millis.add(took);
            }
        }
        return millis;
    }

    long rows() throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM floor_store.main.result")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The API's own page statement (sql/store/page.sql), on the table materialized here, in its fastest form: a range
     * of row ids, as the plain {@code CREATE TABLE AS} here stores the result.
     */
    private static final String PAGE_SQL = io.warehouseapi.store.SqlText.load("sql/store/page.sql")
            .replace("{columns}", "*").replace("{position}", "rowid").replace("{order}", "")
            .replace("{table}", "floor_store.main.result");

    /** Reads the page of 100 rows at {@code offset} of the last materialized result {@code count} times. */
    Stats pages(long offset, int count) throws SQLException {
        return pages(java.util.Collections.nCopies(count, offset));
    }

    /** Reads the page of 100 rows at each of {@code offsets} once, preparing the statement for each. */
    Stats pages(List<Long> offsets) throws SQLException {
        Stats stats = new Stats();
        for (long offset : offsets) {
            long started = System.nanoTime();
            try (PreparedStatement ps = connection.prepareStatement(PAGE_SQL)) {
                readPage(ps, offset);
            }
            stats.add((System.nanoTime() - started) / 1000);
        }
        return stats;
    }

    /** As {@link #pages(long, int)}, with the statement prepared once and reused: the engine's time without the prepare. */
    Stats pagesPrepared(long offset, int count) throws SQLException {
        Stats stats = new Stats();
        try (PreparedStatement ps = connection.prepareStatement(PAGE_SQL)) {
            for (int i = 0; i < count; i++) {
                long started = System.nanoTime();
                readPage(ps, offset);
                stats.add((System.nanoTime() - started) / 1000);
            }
        }
        return stats;
    }

    /**
     * Reads the page of 100 rows at each of {@code offsets} once through a camel-jdbc {@code jdbc:} step (a route
     * {@code direct:page} on a HikariCP pool over the same database, the offsets bound as named parameters from
     * headers) and turns its rows into arrays of values: what the page read would cost as a route step, beside
     * {@link #pages(List)}, the same statement through plain JDBC.
     */
    Stats pagesThroughCamelJdbc(Path warehouse, List<Long> offsets) throws Exception {
        String named = PAGE_SQL.replace(">= ?", ">= :?from").replace("< ?", "< :?to");
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl("jdbc:duckdb:" + warehouse.toAbsolutePath());
        config.setMaximumPoolSize(2);
        Stats stats = new Stats();
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
             org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            camel.getRegistry().bind("pageDataSource", pool);
            // a lambda, not a RouteBuilder class, which the tests' camel-main would discover and start
            org.apache.camel.builder.RouteBuilder.addRoutes(camel, routes -> routes.from("direct:page")
                    .setBody(routes.constant(named))
                    .to("jdbc:pageDataSource?useHeadersAsParameters=true&resetAutoCommit=false"));
            camel.start();
            org.apache.camel.ProducerTemplate template = camel.createProducerTemplate();
            for (int i = 0; i < offsets.size() + 20; i++) {
                // the first 20 warm the route up, unmeasured
                long offset = offsets.get(i % offsets.size());
                long started = System.nanoTime();
                @SuppressWarnings("unchecked")
                List<java.util.Map<String, Object>> rows = template.requestBodyAndHeaders("direct:page", null,
                        java.util.Map.of("from", offset, "to", offset + 100), List.class);
                for (java.util.Map<String, Object> row : rows) {
                    row.values().toArray();
                }
                if (i >= 20) {
                    stats.add((System.nanoTime() - started) / 1000);
                }
            }
        }
        return stats;
    }

    /** Runs the page statement and reads every value of its rows into Java, as the API's page read does. */
    private static void readPage(PreparedStatement ps, long offset) throws SQLException {
        ps.setLong(1, offset);
        ps.setLong(2, offset + 100);
        try (ResultSet rs = ps.executeQuery()) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int c = 1; c <= columns; c++) {
                    rs.getObject(c);
                }
            }
        }
    }

    /**
     * Milliseconds for DuckDB's own {@code COPY ... TO} of the last materialized result into a file of the format
     * ({@code csv}: with the header row and CRLF line ends, as the API writes it; {@code parquet}).
     */
    double copyTo(String format, Path file) throws Exception {
        Files.deleteIfExists(file);
        String options = format.equals("csv") ? "FORMAT csv, HEADER true, NEW_LINE '\\r\\n'" : "FORMAT parquet";
        long started = System.nanoTime();
        try (Statement statement = connection.createStatement()) {
            statement.execute("COPY floor_store.main.result TO '" + file.toAbsolutePath() + "' (" + options + ")");
        }
        return (System.nanoTime() - started) / 1e6;
    }

    /**
     * The row count and one hash sum per column of a relation: equal for two relations holding the same rows, in any
     * order. {@code asText} hashes each value's text (as a CSV file, read back as text, holds it).
     */
    String checksum(String relation, boolean asText) throws SQLException {
        String hashed = asText ? "hash(COLUMNS(*)::VARCHAR)" : "hash(COLUMNS(*))";
        StringBuilder sums = new StringBuilder();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*), sum(" + hashed + ") FROM " + relation)) {
            rs.next();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                sums.append(i == 1 ? "" : ",").append(rs.getString(i));
            }
        }
        return sums.toString();
    }

    /** The checksum of the last materialized result. */
    String resultChecksum(boolean asText) throws SQLException {
        return checksum("floor_store.main.result", asText);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
