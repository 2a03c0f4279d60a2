package io.warehouseapi.store;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.List;

import io.warehouseapi.store.ResultStore.StoreType;

/** Values between the store's DuckDB tables and Java: rows read for pages, and values appended as a result loads. */
final class StoreValues {

    private StoreValues() {
    }

    /** Reads up to {@code limit} rows of a DuckDB result set as arrays of values in column order. */
    static void readRows(ResultSet rs, List<Object[]> rows, int limit) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int count = meta.getColumnCount();
        int[] types = new int[count];
        for (int i = 0; i < count; i++) {
            types[i] = meta.getColumnType(i + 1);
        }
        while (rows.size() < limit && rs.next()) {
            Object[] row = new Object[count];
            for (int i = 0; i < count; i++) {
                row[i] = value(rs, i + 1, types[i]);
            }
            rows.add(row);
        }
    }

    private static Object value(ResultSet rs, int index, int type) throws SQLException {
        Object value = switch (type) {
            case Types.TIMESTAMP -> rs.getObject(index, LocalDateTime.class);
            case Types.TIMESTAMP_WITH_TIMEZONE -> rs.getObject(index, OffsetDateTime.class);
            case Types.DATE -> rs.getObject(index, LocalDate.class);
            case Types.TIME -> rs.getObject(index, LocalTime.class);
            // the engine's own Blob object otherwise, which no reply can render
            case Types.BLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> rs.getBytes(index);
            default -> rs.getObject(index);
        };
        return rs.wasNull() ? null : value;
    }

    static void append(org.duckdb.DuckDBAppender appender, StoreType type, Object value) throws SQLException {
        if (value == null) {
            appender.appendNull();
            return;
        }
        switch (type) {
            case BIGINT -> appender.append(((Number) value).longValue());
            case DOUBLE -> appender.append(((Number) value).doubleValue());
            case BOOLEAN -> appender.append((Boolean) value);
            case DATE -> appender.append((LocalDate) value);
            case TIME -> appender.append((LocalTime) value);
            case TIMESTAMP -> appender.append((LocalDateTime) value);
            case TIMESTAMPTZ -> appender.append((OffsetDateTime) value);
            case BLOB -> appender.append((byte[]) value);
            case VARCHAR, JSON -> appender.append(value.toString());
            case DECIMAL -> appender.append(value instanceof java.math.BigDecimal d
                    ? d : new java.math.BigDecimal(value.toString()));
            default -> throw new IllegalStateException("No store type " + type);
        }
    }
}
