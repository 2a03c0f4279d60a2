package io.warehouseapi.snowflake;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

import io.warehouseapi.model.Column;
import io.warehouseapi.store.RawJson;
import io.warehouseapi.store.ResultStore.StoreColumn;
import io.warehouseapi.store.ResultStore.StoreType;

/**
 * Snowflake's result columns and values as the result store and the replies take them: each column's store type by its
 * JDBC type and Snowflake type name, and each value read by that type (from a result set, or as the JDBC driver gave
 * it to a route's {@code jdbc:} step).
 */
final class SnowflakeTypes {

    private SnowflakeTypes() {
    }

    /** The store column for a Snowflake result column, by its JDBC type and Snowflake type name. */
    static StoreColumn storeColumn(ResultSetMetaData meta, int i) throws SQLException {
        String name = meta.getColumnLabel(i);
        String typeName = meta.getColumnTypeName(i) == null ? "" : meta.getColumnTypeName(i).toUpperCase(Locale.ROOT);
        int precision = meta.getPrecision(i);
        int scale = meta.getScale(i);
        return switch (meta.getColumnType(i)) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> precision > 18
                    ? new StoreColumn(name, "NUMBER(" + precision + ",0)", StoreType.DECIMAL, "DECIMAL(38, 0)")
                    : new StoreColumn(name, "NUMBER(" + precision + ",0)", StoreType.BIGINT, "BIGINT");
            case Types.DECIMAL, Types.NUMERIC -> new StoreColumn(name, "NUMBER(" + precision + "," + scale + ")",
                    StoreType.DECIMAL, "DECIMAL(" + Math.min(38, Math.max(precision, 1)) + ", " + scale + ")");
            case Types.DOUBLE, Types.FLOAT, Types.REAL -> new StoreColumn(name, "FLOAT", StoreType.DOUBLE, "DOUBLE");
            case Types.BOOLEAN, Types.BIT -> new StoreColumn(name, "BOOLEAN", StoreType.BOOLEAN, "BOOLEAN");
            case Types.DATE -> new StoreColumn(name, "DATE", StoreType.DATE, "DATE");
            case Types.TIMESTAMP -> new StoreColumn(name, "TIMESTAMP_NTZ", StoreType.TIMESTAMP, "TIMESTAMP");
            case Types.TIMESTAMP_WITH_TIMEZONE -> new StoreColumn(name, typeName.contains("LTZ")
                    ? "TIMESTAMP_LTZ" : "TIMESTAMP_TZ", StoreType.TIMESTAMPTZ, "TIMESTAMPTZ");
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> new StoreColumn(name, "BINARY", StoreType.BLOB,
                    "BLOB");
            default -> typeName.contains("VARIANT") || typeName.contains("OBJECT") || typeName.contains("ARRAY")
                    ? new StoreColumn(name, typeName.replace("STRUCTURED", "").strip(), StoreType.JSON, "JSON")
                    : new StoreColumn(name, typeName.isEmpty() ? "VARCHAR" : typeName, StoreType.VARCHAR, "VARCHAR");
        };
    }

    /** The columns as clients see them: their names and Snowflake's own type names. */
    static List<Column> reported(List<StoreColumn> columns) {
        return columns.stream().map(c -> new Column(c.name(), c.reportedType())).toList();
    }

    /** A value as the JDBC driver gave it to the route's {@code jdbc:} step, as the replies take it. */
    static Object fromJdbc(Object value, StoreType kind) {
        if (value == null) {
            return null;
        }
        return switch (kind) {
            case BIGINT -> ((Number) value).longValue();
            case DECIMAL -> value instanceof java.math.BigDecimal d ? d : new java.math.BigDecimal(value.toString());
            case DOUBLE -> ((Number) value).doubleValue();
            case BOOLEAN -> value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString());
            case DATE -> value instanceof java.sql.Date d ? d.toLocalDate() : value;
            case TIMESTAMP -> value instanceof Timestamp ts ? ts.toLocalDateTime() : value;
            case TIMESTAMPTZ -> value instanceof Timestamp ts ? ts.toInstant().atOffset(ZoneOffset.UTC) : value;
            case BLOB -> value;
            case JSON -> new RawJson(value.toString());
            default -> value.toString();
        };
    }

    /** One row of a Snowflake result set as the values the store and the replies take. */
    static Object[] row(ResultSet rs, List<StoreColumn> columns) throws SQLException {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            row[i] = value(rs, i + 1, columns.get(i).kind());
        }
        return row;
    }

    private static Object value(ResultSet rs, int index, StoreType kind) throws SQLException {
        Object value = switch (kind) {
            case BIGINT -> rs.getLong(index);
            case DECIMAL -> rs.getBigDecimal(index);
            case DOUBLE -> rs.getDouble(index);
            case BOOLEAN -> rs.getBoolean(index);
            case DATE -> {
                java.sql.Date date = rs.getDate(index);
                yield date == null ? null : date.toLocalDate();
            }
            case TIMESTAMP -> {
                Timestamp ts = rs.getTimestamp(index);
                yield ts == null ? null : ts.toLocalDateTime();
            }
            case TIMESTAMPTZ -> {
                Timestamp ts = rs.getTimestamp(index);
                yield ts == null ? null : ts.toInstant().atOffset(ZoneOffset.UTC);
            }
            case BLOB -> rs.getBytes(index);
            case JSON -> new RawJson(rs.getString(index));
            default -> rs.getString(index);
        };
        return rs.wasNull() ? null : value;
    }
}
