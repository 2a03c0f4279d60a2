package io.warehouseapi.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

import io.warehouseapi.model.Column;
import io.warehouseapi.model.Identifiers;

/**
 * Stored results as export streams: the engine writes a result, slice by slice, into files of the spill directory's
 * {@value #DIRECTORY} folder ({@code sql/store/export-*.sql}), which {@link ExportStream} sends on and deletes.
 */
final class StoreExports {

    /** The spill directory's folder of export slices. */
    static final String DIRECTORY = "exports";
    /** Rows an export's engine writes at a time (CSV, NDJSON): a few tens of MB of text for a wide result. */
    private static final long SLICE_ROWS = 250_000;

    private final DataSource dataSource;
    private final Path directory;
    private final Map<ExportFormat, String> exportSql = Map.of(
            ExportFormat.CSV, SqlText.load("sql/store/export-csv.sql"),
            ExportFormat.NDJSON, SqlText.load("sql/store/export-ndjson.sql"),
            ExportFormat.PARQUET, SqlText.load("sql/store/export-parquet.sql"));
    /** Writes each export's next slice while its current one is sent: one thread per download at most. */
    private final ExecutorService slices = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "export-slice");
        thread.setDaemon(true);
        return thread;
    });

    StoreExports(DataSource dataSource, Path spillDirectory) {
        this.dataSource = dataSource;
        this.directory = spillDirectory.resolve(DIRECTORY);
    }

    /**
     * A stored result as a stream of the given format, under the column names clients see. {@code onClose} runs once
     * when the stream is closed.
     */
    InputStream open(StoredResult result, ExportFormat format, Runnable onClose) {
        String sql = exportSql.get(format)
                .replace("{columns}", columns(result, format))
                .replace("{position}", result.position())
                .replace("{order}", result.order())
                .replace("{table}", result.table());
        String name = "export-" + UUID.randomUUID();
        Path[] files = {directory.resolve(name + "-a." + format.extension()),
                        directory.resolve(name + "-b." + format.extension())};
        long sliceRows = format.sliced() ? SLICE_ROWS : Math.max(1, result.totalRows());
        return new ExportStream((from, to, first, target) -> {
            String statement = sql.replace("{file}", "'" + target.toString().replace("'", "''") + "'")
                    .replace("{header}", Boolean.toString(first));
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement ps = connection.prepareStatement(statement)) {
                ps.setLong(1, from);
                ps.setLong(2, to);
                ps.execute();
            } catch (SQLException e) {
                throw new IOException("Cannot export rows " + from + " to " + to + " of query " + result.queryId()
                                      + ": " + e.getMessage(), e);
            }
        }, slices, files, result.totalRows(), sliceRows, onClose);
    }

    /** The select list of an export: each store column under its client name; NDJSON timestamps as ISO-8601. */
    private static String columns(StoredResult result, ExportFormat format) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < result.storeColumns().size(); i++) {
            Column stored = result.storeColumns().get(i);
            String column = Identifiers.quote(stored.name());
            String type = stored.type() == null ? "" : stored.type().toUpperCase(Locale.ROOT);
            if (format == ExportFormat.NDJSON && type.startsWith("TIMESTAMP")) {
                column = "replace(CAST(" + column + " AS VARCHAR), ' ', 'T')";
            }
            list.append(i == 0 ? "" : ", ").append(column).append(" AS ")
                    .append(Identifiers.quote(result.columns().get(i).name()));
        }
        return list.toString();
    }
}
