package io.warehouseapi.snowflake;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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

    /** The output format of TIMESTAMP_TZ values in the API's sessions: ISO-8601 with the value's own offset. */
    static final String TIMESTAMP_TZ_FORMAT = "YYYY-MM-DD\"T\"HH24:MI:SS.FF9TZH:TZM";
    /** The output format of TIME values in the API's sessions, to the nanosecond. */
    static final String TIME_FORMAT = "HH24:MI:SS.FF9";
    private static final DateTimeFormatter TIMESTAMP_TZ_TEXT = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");

    private SnowflakeTypes() {
    }

    /** The store column for a Snowflake result column, by its JDBC type and Snowflake type name. */
    static StoreColumn storeColumn(ResultSetMetaData meta, int i) throws SQLException {
        String name = meta.getColumnLabel(i);
        String typeName = meta.getColumnTypeName(i) == null ? "" : meta.getColumnTypeName(i).toUpperCase(Locale.ROOT);
        int precision = meta.getPrecision(i);
        int scale = meta.getScale(i);
        if (typeName.contains("LTZ")) {
            // an instant (the driver reports it as a TIMESTAMP, shown in the session's time zone)
            return new StoreColumn(name, "TIMESTAMP_LTZ", StoreType.TIMESTAMPTZ, "TIMESTAMPTZ");
        }
        if (typeName.contains("TIMESTAMPTZ") || typeName.contains("TIMESTAMP_TZ")) {
            // an instant and its own offset, which a TIMESTAMPTZ of the store would not keep: kept as its ISO-8601 text
            return new StoreColumn(name, "TIMESTAMP_TZ", StoreType.VARCHAR, "VARCHAR");
        }
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
            case Types.TIME -> new StoreColumn(name, "TIME", StoreType.TIME, "TIME");
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> new StoreColumn(name, "BINARY", StoreType.BLOB,
                    "BLOB");
            default -> typeName.contains("VARIANT") || typeName.contains("OBJECT") || typeName.contains("ARRAY")
                    ? new StoreColumn(name, typeName.replace("STRUCTURED", "").strip(), StoreType.JSON, "JSON")
                    : new StoreColumn(name, typeName.isEmpty() || typeName.equals("VARCHAR") ? "TEXT" : typeName,
                            StoreType.VARCHAR, "VARCHAR");
        };
    }

    /** The columns as clients see them: their names and Snowflake's own type names. */
    static List<Column> reported(List<StoreColumn> columns) {
        return columns.stream().map(c -> new Column(c.name(), c.reportedType())).toList();
    }

    /** A value as the JDBC driver gave it to the route's {@code jdbc:} step, as the replies take it. */
    static Object fromJdbc(Object value, StoreColumn column) {
        if (value == null) {
            return null;
        }
        if (column.reportedType().equals("TIMESTAMP_TZ") && value instanceof Timestamp ts) {
            // the route's step reads the driver's Timestamp, which is the instant alone: given in UTC
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(ts.toInstant().atOffset(ZoneOffset.UTC));
        }
        return switch (column.kind()) {
            case BIGINT -> ((Number) value).longValue();
            case DECIMAL -> value instanceof java.math.BigDecimal d ? d : new java.math.BigDecimal(value.toString());
            case DOUBLE -> ((Number) value).doubleValue();
            case BOOLEAN -> value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString());
            case DATE -> value instanceof java.sql.Date d ? d.toLocalDate() : value;
            case TIME -> value instanceof java.sql.Time t ? t.toLocalTime() : value;
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
            row[i] = value(rs, i + 1, columns.get(i));
        }
        return row;
    }

    private static Object value(ResultSet rs, int index, StoreColumn column) throws SQLException {
        if (column.reportedType().equals("TIMESTAMP_TZ")) {
            // the driver's Timestamp is the instant alone: its text, in the session's format, keeps the offset
            String text = rs.getString(index);
            return text == null ? null
                    : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.parse(text, TIMESTAMP_TZ_TEXT));
        }
        Object value = switch (column.kind()) {
            case BIGINT -> rs.getLong(index);
            case DECIMAL -> rs.getBigDecimal(index);
            case DOUBLE -> rs.getDouble(index);
            case BOOLEAN -> rs.getBoolean(index);
            case DATE -> {
                java.sql.Date date = rs.getDate(index);
                yield date == null ? null : date.toLocalDate();
            }
            case TIME -> {
                // java.sql.Time keeps whole seconds: the text, in the session's format, keeps the nanoseconds
                String text = rs.getString(index);
                yield text == null ? null : LocalTime.parse(text);
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
