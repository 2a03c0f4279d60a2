package io.warehouseapi.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.GrowingResult;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.PageCache;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.store.StoredResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first rows of a result kept as the engine stores it, on a real DuckDB file and the real result store, without
 * Camel: the rows kept are the stored result's first rows, value for value as a page read renders them; every row is
 * numbered once and the stored result holds the engine's answer; an ordered result, or one with a column type the
 * function cannot read, is stored as before.
 */
class FirstRowsTapTest {

    private static final int ROWS = 400_000;
    private static final int CAPACITY = 1_000;

    @TempDir
    Path directory;
    private HikariDataSource dataSource;
    private ResultStore store;
    private FirstRowsTap tap;

    @BeforeEach
    void start() throws Exception {
        Path file = directory.resolve("warehouse.duckdb");
        try (Connection connection = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
             Statement statement = connection.createStatement()) {
            // every type the function reads, with nulls, across several row groups the engine's threads share
            statement.execute("CREATE TABLE t AS SELECT i::INTEGER AS id, i::BIGINT * 1000000007 AS big, "
                              + "(i % 100)::TINYINT AS tiny, (i % 30000)::SMALLINT AS small, i % 2 = 0 AS even, "
                              + "(i / 7.0)::FLOAT AS f, CASE WHEN i % 11 = 0 THEN NULL ELSE i / 3.0 END AS d, "
                              + "(i / 100.0)::DECIMAL(18,3) AS price, 'row ' || i AS label, "
                              + "DATE '2020-01-01' + (i % 1000)::INTEGER AS day, "
                              + "TIMESTAMP '2020-01-01 00:00:00' + INTERVAL (i) SECOND + INTERVAL (i % 1000) MILLISECOND "
                              + "AS at FROM range(" + ROWS + ") r(i)");
            statement.execute("CREATE TABLE listed AS SELECT i, [i, i + 1] AS pair FROM range(10) r(i)");
        }
        dataSource = DuckDbPool.open("tap-test", "jdbc:duckdb:" + file, null, 3);
        store = new ResultStore(dataSource, Files.createDirectories(directory.resolve("spill")), "1GB", true, null,
                new PageCache(0));
        store.start();
        tap = new FirstRowsTap(store, CAPACITY);
    }

    @AfterEach
    void stop() {
        dataSource.close();
    }

    @Test
    void the_rows_kept_are_the_stored_results_first_rows_and_every_row_is_numbered_once() throws Exception {
        StoredResult result;
        GrowingResult growing;
        try (Connection connection = dataSource.getConnection()) {
            FirstRowsTap.Run run = tap.open(connection, "q-1", new Selection.Statement("SELECT * FROM main.t", List.of()));
            assertThat(run).isNotNull();
            growing = run.growing();
            assertThat(store.growing("q-1")).isSameAs(growing);
            assertThat(growing.stored()).isZero();
            try (Statement statement = connection.createStatement()) {
                statement.execute(run.statement());
            } finally {
                run.close();
            }
            assertThat(growing.stored()).isEqualTo(CAPACITY);
            assertThat(growing.progress()).isEqualTo(ROWS);
            result = store.register("q-1");
        }
        assertThat(result.numbered()).isTrue();
        assertThat(result.totalRows()).isEqualTo(ROWS);
        assertThat(result.columns()).extracting(c -> c.name()).containsExactly(
                "id", "big", "tiny", "small", "even", "f", "d", "price", "label", "day", "at");
        assertThat(growing.columns()).isEqualTo(result.columns());
        assertThat(result.storedAt()).isEqualTo(growing.since());

        // the page sent early and the same page read from the whole stored result: the same text
        for (int[] page : new int[][] {{0, 100}, {0, CAPACITY}, {900, 100}}) {
            Page early = store.readGrowingPage(growing, page[0], page[1]);
            Page stored = store.readPage(result, page[0], page[1]);
            assertThat(early.complete()).isFalse();
            assertThat(early.rowCount()).isEqualTo(page[1]);
            assertThat(early.rowsJson()).isEqualTo(stored.rowsJson());
            assertThat(early.columns()).isEqualTo(stored.columns());
        }
        assertThat(store.readGrowingPage(growing, 950, 100)).as("past the rows kept").isNull();
        assertThat(store.readGrowingPage(growing, 0, 100)).as("shaped once for every client")
                .isSameAs(store.readGrowingPage(growing, 0, 100));

        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT count(*), count(DISTINCT \"__row\"), min(\"__row\"), "
                                                       + "max(\"__row\") FROM " + result.table())) {
                rs.next();
                assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                        .containsExactly((long) ROWS, (long) ROWS, 0L, ROWS - 1L);
            }
            // the stored result is the engine's answer, row for row as a multiset
            try (ResultSet rs = statement.executeQuery("SELECT (SELECT count(*) FROM (SELECT * EXCLUDE (\"__row\") FROM "
                                                       + result.table() + " EXCEPT ALL SELECT * FROM main.t)), "
                                                       + "(SELECT count(*) FROM (SELECT * FROM main.t EXCEPT ALL "
                                                       + "SELECT * EXCLUDE (\"__row\") FROM " + result.table() + "))")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
                assertThat(rs.getLong(2)).isZero();
            }
        }
        // a page far into the result is its rows in their numbers' order
        Page middle = store.readPage(result, 200_000, 3);
        List<Long> ids = new java.util.ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement("SELECT id FROM " + result.table()
                                                                + " WHERE \"__row\" BETWEEN 200000 AND 200002 ORDER BY \"__row\"")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        assertThat(middle.rowsJson()).startsWith("[{\"id\":" + ids.get(0) + ",").contains("{\"id\":" + ids.get(2) + ",");
        // an export and the shared directory's Parquet file keep the numbers' order, and leave the number out
        List<String> firstFive = firstIds(store.readPage(result, 0, 5).rowsJson());
        try (java.io.InputStream csv = store.openExport(result, io.warehouseapi.store.ExportFormat.CSV, () -> { })) {
            List<String> lines = new String(csv.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .lines().toList();
            assertThat(lines).hasSize(ROWS + 1);
            assertThat(lines.get(0)).startsWith("id,big,").doesNotContain("__row");
            assertThat(lines.subList(1, 6)).extracting(line -> line.substring(0, line.indexOf(','))).isEqualTo(firstFive);
        }
        Path parquet = directory.resolve("shared.parquet");
        store.writeParquet(result, parquet);
        StoredResult adopted = store.loadParquet("q-9", parquet, result.columns());
        assertThat(adopted.numbered()).isTrue();
        assertThat(adopted.storeColumns()).isEqualTo(result.storeColumns());
        assertThat(store.readPage(adopted, 0, CAPACITY).rowsJson()).isEqualTo(store.readPage(result, 0, CAPACITY).rowsJson());
        assertThat(store.readPage(adopted, ROWS - 10, 100).rowsJson())
                .isEqualTo(store.readPage(result, ROWS - 10, 100).rowsJson());
        store.drop("q-9");
        store.drop("q-1");
        assertThat(store.tableCount("q-1")).isZero();
        assertThat(store.growing("q-1")).isNull();
    }

    /** The ids of a page's rows, in order. */
    private static List<String> firstIds(String rowsJson) {
        List<String> ids = new java.util.ArrayList<>();
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("\\{\"id\":(\\d+),").matcher(rowsJson);
        while (id.find()) {
            ids.add(id.group(1));
        }
        return ids;
    }

    @Test
    void a_question_with_parameters_is_kept_and_a_short_result_keeps_what_it_has() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            FirstRowsTap.Run run = tap.open(connection, "q-2", new Selection.Statement(
                    "SELECT id, label FROM main.t WHERE id < ?", List.of(40)));
            assertThat(run).isNotNull();
            try (PreparedStatement statement = connection.prepareStatement(run.statement())) {
                statement.setObject(1, 40);
                statement.execute();
            } finally {
                run.close();
            }
            assertThat(run.growing().stored()).isEqualTo(40);
            StoredResult result = store.register("q-2");
            assertThat(result.totalRows()).isEqualTo(40);
            assertThat(store.readGrowingPage(run.growing(), 0, 40).rowsJson())
                    .isEqualTo(store.readPage(result, 0, 40).rowsJson());
            assertThat(store.readGrowingPage(run.growing(), 0, 100)).as("more rows than the result has").isNull();
        }
    }

    @Test
    void an_ordered_result_a_type_the_function_cannot_read_or_an_error_is_stored_as_before() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            assertThat(tap.open(connection, "q-3", new Selection.Statement("SELECT * FROM main.t ORDER BY d", List.of())))
                    .isNull();
            assertThat(tap.open(connection, "q-4", new Selection.Statement(
                    "SELECT * FROM main.t ORDER BY id LIMIT 10", List.of()))).isNull();
            assertThat(tap.open(connection, "q-5", new Selection.Statement("SELECT * FROM main.listed", List.of())))
                    .isNull();
            // one the engine cannot describe: the storing statement will say what is wrong
            assertThat(tap.open(connection, "q-6", new Selection.Statement("SELECT * FROM main.no_such", List.of())))
                    .isNull();
            // a view with a column of the number's name: stored as before, the column its own
            assertThat(tap.open(connection, "q-7", new Selection.Statement(
                    "SELECT id AS \"__ROW\", label FROM main.t WHERE id < 3", List.of()))).isNull();
            try (Statement statement = connection.createStatement()) {
                statement.execute(store.materializeStatement("q-7",
                        "SELECT id AS \"__row\", label FROM main.t WHERE id < 3"));
            }
            StoredResult own = store.register("q-7");
            assertThat(own.numbered()).isFalse();
            assertThat(own.columns()).extracting(c -> c.name()).containsExactly("__row", "label");
            assertThat(store.readPage(own, 0, 3).rowsJson()).startsWith("[{\"__row\":0,\"label\":\"row 0\"}");
            assertThat(store.growing("q-3")).isNull();
            assertThat(store.growing("q-5")).isNull();
        }
    }
}
