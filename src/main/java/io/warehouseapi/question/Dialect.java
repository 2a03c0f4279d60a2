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

    /**
     * The column in which Snowflake numbers a result's rows once, as its query runs: a persisted result read again
     * ({@code RESULT_SCAN}) comes in no promised order, so its copy and its pages are read in this column's order,
     * the same on every replica, whoever started the query.
     */
    public static final String ROW_NUMBER_COLUMN = "__WAREHOUSE_API_ROW";

    /**
     * The select-list term, with a leading comma, that numbers a result's rows where the warehouse reads its results
     * back in no promised order: in the question's order when it asks one, else in any order, once; empty on DuckDB,
     * whose stored result keeps its order.
     */
    String rowNumber(String orderByClause) {
        if (this == DUCKDB) {
            return "";
        }
        String number = orderByClause.isEmpty() ? "SEQ8()" : "ROW_NUMBER() OVER (" + orderByClause.strip() + ")";
        return ", " + number + " AS \"" + ROW_NUMBER_COLUMN + "\"";
    }

    /** The function that tests whether a string contains another, literally (no wildcards). */
    String contains() {
        return contains;
    }

    /** The function that tests whether a string starts with another, literally (no wildcards). */
    String startsWith() {
        return startsWith;
    }

    /**
     * The placeholder of a temporal value: DuckDB casts the ISO-8601 text; Snowflake parses it with an explicit
     * format, so that the account's input formats ({@code TIMESTAMP_INPUT_FORMAT}, ...) do not matter.
     */
    String temporalPlaceholder(ColumnType type) {
        if (this == DUCKDB) {
            return "CAST(? AS " + castType(type) + ")";
        }
        return switch (type) {
            case DATE -> "TO_DATE(?, 'YYYY-MM-DD')";
            case TIMESTAMP -> "TO_TIMESTAMP_NTZ(?, 'YYYY-MM-DD\"T\"HH24:MI:SS.FF9')";
            case TIMESTAMP_TZ -> "TO_TIMESTAMP_TZ(?, 'YYYY-MM-DD\"T\"HH24:MI:SS.FF9TZH:TZM')";
            case TIME -> "TO_TIME(?, 'HH24:MI:SS.FF9')";
            default -> throw new IllegalArgumentException("not a temporal column type: " + type);
        };
    }

    /** A temporal value (its ISO-8601 text) as this dialect's placeholder parses it. */
    Object temporalValue(ColumnType type, Object iso) {
        if (this == DUCKDB || !(iso instanceof String text)) {
            return iso;
        }
        return switch (type) {
            case DATE -> java.time.LocalDate.parse(text).toString();
            case TIMESTAMP -> java.time.LocalDateTime.parse(text).format(TIMESTAMP_FORMAT);
            case TIMESTAMP_TZ -> java.time.OffsetDateTime.parse(text).format(TIMESTAMP_TZ_FORMAT);
            case TIME -> java.time.LocalTime.parse(text).format(TIME_FORMAT);
            default -> iso;
        };
    }

    private static final java.time.format.DateTimeFormatter TIMESTAMP_FORMAT =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS");
    private static final java.time.format.DateTimeFormatter TIMESTAMP_TZ_FORMAT =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSxxx");
    private static final java.time.format.DateTimeFormatter TIME_FORMAT =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSSSS");

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
