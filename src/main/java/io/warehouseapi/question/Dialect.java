package io.warehouseapi.question;

/** How a warehouse's SQL spells what a question needs beyond standard SQL. */
public enum Dialect {
    DUCKDB("contains", "starts_with", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME"),
    SNOWFLAKE("CONTAINS", "STARTSWITH", "DATE", "TIMESTAMP_NTZ", "TIMESTAMP_TZ", "TIME");

    private final String contains;
    private final String startsWith;
    private final String date;
    private final String timestamp;
    private final String timestampTz;
    private final String time;

    Dialect(String contains, String startsWith, String date, String timestamp, String timestampTz, String time) {
        this.contains = contains;
        this.startsWith = startsWith;
        this.date = date;
        this.timestamp = timestamp;
        this.timestampTz = timestampTz;
        this.time = time;
    }

    /** The function that tests whether a string contains another, literally (no wildcards). */
    String contains() {
        return contains;
    }

    /** The function that tests whether a string starts with another, literally (no wildcards). */
    String startsWith() {
        return startsWith;
    }

    /** The type a bound ISO-8601 text is cast to for a temporal column. */
    String castType(ColumnType type) {
        return switch (type) {
            case DATE -> date;
            case TIMESTAMP -> timestamp;
            case TIMESTAMP_TZ -> timestampTz;
            case TIME -> time;
            default -> throw new IllegalArgumentException("not a temporal column type: " + type);
        };
    }
}
