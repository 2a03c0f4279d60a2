package io.warehouseapi.bench;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.warehouseapi.api.ApiRequest;
import io.warehouseapi.model.Column;
import io.warehouseapi.query.ResultPage;
import io.warehouseapi.reply.Replies;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.RowsJson;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JSON shaping of one page of 100 rows of {@code trip_weather_vw}'s 35 columns (integers, doubles, decimals,
 * timestamps, strings, some NULLs): {@link RowsJson#render}, the rows as a page read from the store is shaped, and
 * {@link Replies#results}, the reply around rows already shaped, as every page is sent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RepliesBenchmark {

    private final Replies replies = new Replies();
    private List<Column> columns;
    private List<Object[]> rows;
    private Page page;
    private ApiRequest request;

    @Setup
    public void setUp() {
        columns = new ArrayList<>();
        String[] types = {"INTEGER", "TIMESTAMP", "TIMESTAMP", "INTEGER", "VARCHAR", "DOUBLE", "DOUBLE"};
        for (int c = 0; c < 35; c++) {
            columns.add(new Column("COLUMN_" + c, types[c % types.length]));
        }
        rows = new ArrayList<>();
        for (int r = 0; r < 100; r++) {
            Object[] row = new Object[35];
            for (int c = 0; c < 35; c++) {
                row[c] = switch (c % types.length) {
                    case 0, 3 -> 1000 + r * 7 + c;
                    case 1, 2 -> LocalDateTime.of(2018, 4, 25, 16, 10, 2).plusMinutes(r * 13L + c);
                    case 4 -> c % 5 == 0 && r % 9 == 0 ? null : "W 52 St & 11 Ave " + r;
                    case 5 -> 40.76727216 + r / 1000.0;
                    default -> BigDecimal.valueOf(-73.99392888 - r / 1000.0);
                };
            }
            rows.add(row);
        }
        page = Page.of("01bf3c2e-0000-4f3a-9d1e-7c2a5b8e9f10", 100, 100, 10_000_000, columns, rows);
        request = new ApiRequest("fetch_results", null, page.queryId(), 100, 100, "r-17");
    }

    private static final java.time.Instant COMPUTED_AT = java.time.Instant.parse("2026-12-03T12:00:00.123Z");

    @Benchmark
    public String rows() {
        return RowsJson.render(columns, rows);
    }

    @Benchmark
    public String results() {
        return replies.results(new ResultPage("AbCdEfGhIjKlMnOpQrStUv", COMPUTED_AT, page), request);
    }
}
