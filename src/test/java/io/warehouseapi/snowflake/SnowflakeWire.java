package io.warehouseapi.snowflake;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Snowflake's JSON result format, as the fake Snowflake writes a DuckDB result in it: each column's {@code rowtype}
 * entry (its Snowflake type, precision and scale) and each value in the wire form of its type, as the driver reads
 * them.
 */
final class SnowflakeWire {

    private SnowflakeWire() {
    }

    /** The rowtype entry of a DuckDB column as Snowflake types it; returns the kind of its wire values. */
    static String describe(ObjectNode column, ResultSetMetaData meta, int i, Set<String> timestampTzColumns)
            throws SQLException {
        String duckType = meta.getColumnTypeName(i).toUpperCase(Locale.ROOT);
        column.put("name", meta.getColumnLabel(i));
        column.put("database", "CITIBIKE");
        column.put("schema", "PUBLIC");
        column.put("table", "");
        column.put("nullable", true);
        column.putNull("collation");
        column.putNull("byteLength");
        column.putNull("length");
        column.putNull("precision");
        column.putNull("scale");
        String kind;
        if (duckType.matches("(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)")) {
            kind = "fixed";
            column.put("precision", 38);
            column.put("scale", 0);
        } else if (duckType.startsWith("DECIMAL")) {
            kind = "fixed";
            column.put("precision", meta.getPrecision(i));
            column.put("scale", meta.getScale(i));
        } else if (duckType.equals("DOUBLE") || duckType.equals("FLOAT")) {
            kind = "real";
        } else if (duckType.equals("BOOLEAN")) {
            kind = "boolean";
        } else if (duckType.equals("DATE")) {
            kind = "date";
        } else if (duckType.equals("TIMESTAMP")) {
            kind = "timestamp_ntz";
        } else if (duckType.equals("TIMESTAMP WITH TIME ZONE")) {
            kind = "timestamp_ltz";
        } else if (timestampTzColumns.contains(meta.getColumnLabel(i).toUpperCase(Locale.ROOT))) {
            kind = "timestamp_tz";
        } else if (duckType.equals("TIME")) {
            kind = "time";
        } else if (duckType.equals("BLOB")) {
            kind = "binary";
            column.put("length", 8388608);
            column.put("byteLength", 8388608);
        } else if (duckType.equals("JSON")) {
            kind = "variant";
        } else if (duckType.endsWith("[]")) {
            kind = "array";
        } else if (duckType.startsWith("STRUCT")) {
            kind = "object";
        } else {
            kind = "text";
            column.put("length", 16777216);
            column.put("byteLength", 16777216);
        }
        if (kind.startsWith("timestamp") || kind.equals("time")) {
            // nanoseconds
            column.put("scale", 9);
            column.put("precision", 0);
        }
        column.put("type", kind);
        return kind;
    }

    static String value(ResultSet rs, int i, String kind) throws SQLException {
        Object value = rs.getObject(i);
        if (value == null) {
            return null;
        }
        return switch (kind) {
            case "boolean" -> ((Boolean) value) ? "1" : "0";
            case "date" -> Long.toString(rs.getObject(i, LocalDate.class).toEpochDay());
            case "timestamp_ntz" -> {
                LocalDateTime t = rs.getObject(i, LocalDateTime.class);
                yield t.toEpochSecond(ZoneOffset.UTC) + "." + String.format("%09d", t.getNano());
            }
            case "timestamp_ltz" -> {
                // seconds since the epoch: the instant, shown in the session's TIMEZONE by the driver
                java.time.Instant t = rs.getObject(i, java.time.OffsetDateTime.class).toInstant();
                yield t.getEpochSecond() + "." + String.format("%09d", t.getNano());
            }
            case "timestamp_tz" -> {
                // seconds since the epoch, then the value's own offset in minutes plus 1440
                java.time.OffsetDateTime t = java.time.OffsetDateTime.parse(value.toString());
                yield t.toEpochSecond() + "." + String.format("%09d", t.getNano()) + " "
                      + (t.getOffset().getTotalSeconds() / 60 + 1440);
            }
            case "time" -> {
                java.time.LocalTime t = rs.getObject(i, java.time.LocalTime.class);
                yield t.toSecondOfDay() + "." + String.format("%09d", t.getNano());
            }
            case "binary" -> java.util.HexFormat.of().withUpperCase().formatHex(rs.getBytes(i));
            case "fixed" -> value instanceof java.math.BigDecimal d ? d.toPlainString() : value.toString();
            case "array", "object" -> toJson(value);
            default -> value.toString();
        };
    }

    private static String toJson(Object value) throws SQLException {
        try {
            if (value instanceof java.sql.Array array) {
                return FakeSnowflake.JSON.writeValueAsString(array.getArray());
            }
            if (value instanceof org.duckdb.DuckDBStruct struct) {
                return FakeSnowflake.JSON.writeValueAsString(struct.getMap());
            }
            return FakeSnowflake.JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new SQLException(e);
        }
    }
}
