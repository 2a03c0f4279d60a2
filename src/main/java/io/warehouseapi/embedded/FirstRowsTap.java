package io.warehouseapi.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.warehouseapi.model.Column;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.FirstRows;
import io.warehouseapi.store.GrowingResult;
import io.warehouseapi.store.ResultStore;
import org.duckdb.DuckDBColumnType;
import org.duckdb.DuckDBDataChunkReader;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBLogicalType;
import org.duckdb.DuckDBReadableVector;
import org.duckdb.DuckDBWritableVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first rows of a result while the engine stores it, in the same statement: a function of the server's own, in
 * the select list of the statement that stores the result ({@code sql/store/materialize-numbered.sql}), numbers each
 * row as the engine's threads hand its chunk through and keeps the first rows' values ({@link FirstRows}), so the
 * first page can go while the engine stores the rest. The number is stored with the row and orders the stored
 * result, so every page agrees with the first one row for row.
 * <p>
 * Not for a result whose order the statement sets ({@code ORDER BY}, a top-N), whose rows pass in no order (its first
 * page waits for the whole result, as the ordering does), nor for column types whose values the function could not
 * give as a page read gives them (lists, structs, maps, time zones, intervals, blobs...).
 */
final class FirstRowsTap {

    private static final Logger LOG = LoggerFactory.getLogger(FirstRowsTap.class);
    private static final String FUNCTION = "warehouseapi_first_rows_";
    /** The most functions registered, one per list of column types. */
    static final int MAX_FUNCTIONS = 256;
    /** The operators of a physical plan (in JSON, their stable names) that order rows. */
    private static final Pattern ORDERING = Pattern.compile("\"name\"\\s*:\\s*\"(ORDER_BY|TOP_N)\"");
    private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+),\\s*(\\d+)\\)");
    private static final Map<String, DuckDBColumnType> TYPES = Map.ofEntries(
            Map.entry("BOOLEAN", DuckDBColumnType.BOOLEAN), Map.entry("TINYINT", DuckDBColumnType.TINYINT),
            Map.entry("SMALLINT", DuckDBColumnType.SMALLINT), Map.entry("INTEGER", DuckDBColumnType.INTEGER),
            Map.entry("BIGINT", DuckDBColumnType.BIGINT), Map.entry("FLOAT", DuckDBColumnType.FLOAT),
            Map.entry("DOUBLE", DuckDBColumnType.DOUBLE), Map.entry("VARCHAR", DuckDBColumnType.VARCHAR),
            Map.entry("DATE", DuckDBColumnType.DATE), Map.entry("TIMESTAMP", DuckDBColumnType.TIMESTAMP));

    private final ResultStore store;
    private final int capacity;
    private final AtomicLong keys = new AtomicLong();
    private final Map<Long, Run> runs = new ConcurrentHashMap<>();
    /** The function registered for each list of column types, by the types' names. */
    private final Map<List<String>, String> functions = new java.util.HashMap<>();

    /** Keeps up to {@code capacity} first rows of each result: the largest page a client may ask for. */
    FirstRowsTap(ResultStore store, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("The first rows kept must be at least 1, not " + capacity);
        }
        this.store = store;
        this.capacity = capacity;
    }

    /**
     * Prepares to store {@code select} for a query with its first rows kept, the result {@link ResultStore#capturing}
     * from now: the statement to run, and the run to {@link Run#close} once it has ended. Null where the result's
     * order is set by the statement or a column's type is not one the function reads, or if the engine could not
     * describe the statement.
     */
    Run open(Connection connection, String queryId, Selection.Statement select) {
        try {
            return prepare(connection, queryId, select);
        } catch (SQLException e) {
            // the statement then says what is wrong with the question, if anything, as it always did
            LOG.debug("query={}: its first rows are not kept: {}", queryId, e.getMessage());
            return null;
        }
    }

    private Run prepare(Connection connection, String queryId, Selection.Statement select) throws SQLException {
        List<String> types = new ArrayList<>();
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement prepared = connection.prepareStatement(select.sql())) {
            ResultSetMetaData meta = prepared.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String type = meta.getColumnTypeName(i).toUpperCase(Locale.ROOT);
                if (!TYPES.containsKey(type) && !DECIMAL.matcher(type).matches()
                    || ResultStore.NUMBER_COLUMN.equalsIgnoreCase(meta.getColumnName(i))) {
                    return null;
                }
                types.add(type);
                columns.add(new Column(meta.getColumnName(i), type));
            }
        }
        if (types.isEmpty() || ordered(connection, select)) {
            return null;
        }
        String function = function(connection, types);
        if (function == null) {
            return null;
        }
        long key = keys.incrementAndGet();
        StringBuilder call = new StringBuilder(function).append('(').append(key).append("::BIGINT");
        for (Column column : columns) {
            call.append(", ").append(io.warehouseapi.model.Identifiers.quote(column.name()));
        }
        call.append(')');
        Run run = new Run(key, store.capturing(queryId, columns, capacity),
                store.materializeNumberedStatement(queryId, select.sql(), call.toString()));
        runs.put(key, run);
        return run;
    }

    /** Whether the plan of {@code select} orders its rows: its physical plan sorts them, in whole or a top-N. */
    private static boolean ordered(Connection connection, Selection.Statement select) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement explain = connection.prepareStatement("EXPLAIN (FORMAT json) " + select.sql())) {
            List<Object> parameters = select.parameters();
            for (int i = 0; i < parameters.size(); i++) {
                explain.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rs = explain.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(rs.getMetaData().getColumnCount())).append('\n');
                }
            }
        }
        return ORDERING.matcher(plan).find();
    }

    /**
     * The function for a list of column types, registered once on the DuckDB instance of {@code connection}; null
     * once {@value #MAX_FUNCTIONS} are (questions choose columns: their lists are many, and each is kept for good).
     */
    private String function(Connection connection, List<String> types) throws SQLException {
        synchronized (functions) {
            String function = functions.get(types);
            if (function == null && functions.size() < MAX_FUNCTIONS) {
                function = FUNCTION + functions.size();
                register(connection, function, types);
                functions.put(List.copyOf(types), function);
            }
            return function;
        }
    }

    /** Registers the function for a list of column types: its arguments are the run's key and the row's columns. */
    private void register(Connection connection, String name, List<String> types) throws SQLException {
        List<DuckDBLogicalType> parameters = new ArrayList<>();
        try {
            parameters.add(DuckDBLogicalType.of(DuckDBColumnType.BIGINT));
            for (String type : types) {
                Matcher decimal = DECIMAL.matcher(type);
                parameters.add(decimal.matches()
                        ? DuckDBLogicalType.decimal(Integer.parseInt(decimal.group(1)),
                                Integer.parseInt(decimal.group(2)))
                        : DuckDBLogicalType.of(TYPES.get(type)));
            }
            DuckDBFunctions.scalarFunction().withName(name)
                    .withParameters(parameters.toArray(new DuckDBLogicalType[0]))
                    .withReturnType(DuckDBColumnType.BIGINT)
                    .withVolatile()
                    .withVectorizedFunction(this::number)
                    .register(connection);
        } finally {
            parameters.forEach(DuckDBLogicalType::close);
        }
    }

    /** Numbers a chunk of rows as the engine hands it through, keeping the values of the first ones. */
    private void number(DuckDBDataChunkReader chunk, DuckDBWritableVector numbers) {
        long count = chunk.rowCount();
        if (count == 0) {
            return;
        }
        Run run = runs.get(chunk.vector(0).getLong(0));
        if (run == null) {
            throw new IllegalStateException("No result is being stored under this key");
        }
        long first = run.next.getAndAdd(count);
        if (first < capacity) {
            int columns = (int) chunk.columnCount() - 1;
            DuckDBReadableVector[] vectors = new DuckDBReadableVector[columns];
            for (int c = 0; c < columns; c++) {
                vectors[c] = chunk.vector(c + 1);
            }
            int kept = 0;
            for (long i = 0; i < count && first + i < capacity; i++) {
                Object[] row = new Object[columns];
                for (int c = 0; c < columns; c++) {
                    row[c] = value(vectors[c], i);
                }
                kept = run.growing.firstRows().put(first + i, row);
            }
            run.growing.stored(kept);
        }
        run.growing.arrived(first + count);
        for (long i = 0; i < count; i++) {
            numbers.setLong(i, first + i);
        }
    }

    /** A value as a page read through JDBC gives it ({@code StoreValues}), so both render the same. */
    static Object value(DuckDBReadableVector vector, long row) {
        if (vector.isNull(row)) {
            return null;
        }
        return switch (vector.getType()) {
            case BOOLEAN -> vector.getBoolean(row);
            case TINYINT -> vector.getByte(row);
            case SMALLINT -> vector.getShort(row);
            case INTEGER -> vector.getInt(row);
            case BIGINT -> vector.getLong(row);
            case FLOAT -> vector.getFloat(row);
            case DOUBLE -> vector.getDouble(row);
            case DECIMAL -> vector.getBigDecimal(row);
            case DATE -> vector.getLocalDate(row);
            case TIMESTAMP -> vector.getLocalDateTime(row);
            default -> vector.getString(row);
        };
    }

    /** A result being stored with its first rows kept. */
    final class Run implements AutoCloseable {
        private final long key;
        private final GrowingResult growing;
        private final String statement;
        private final AtomicLong next = new AtomicLong();

        private Run(long key, GrowingResult growing, String statement) {
            this.key = key;
            this.growing = growing;
            this.statement = statement;
        }

        /** The statement that stores the result, numbering its rows. */
        String statement() {
            return statement;
        }

        /** The result as the store keeps it while the statement runs. */
        GrowingResult growing() {
            return growing;
        }

        /** The statement has ended: its function no longer finds this run. */
        @Override
        public void close() {
            runs.remove(key);
        }
    }
}
