package io.warehouseapi.question;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a filter may do with a column, by the warehouse's name for its type (DuckDB's or Snowflake's): which
 * operators apply, and which JSON values fit it. Temporal values are ISO-8601 strings, checked here and bound as
 * text that the statement casts to the column's type.
 */
public enum ColumnType {
    INTEGER("an integer"),
    DECIMAL("a number"),
    FLOAT("a number"),
    TEXT("a string"),
    BOOLEAN("true or false"),
    DATE("an ISO-8601 date string such as 2018-06-01"),
    TIMESTAMP("an ISO-8601 date-time string without an offset, such as 2018-06-01T00:00:00"),
    TIMESTAMP_TZ("an ISO-8601 date-time string with an offset, such as 2018-06-01T00:00:00Z"),
    TIME("an ISO-8601 time string such as 08:30:00"),
    OTHER("nothing: only is_null and not_null apply");

    private static final Set<Operator> ORDERED = EnumSet.of(Operator.EQ, Operator.NEQ, Operator.LT, Operator.LTE,
            Operator.GT, Operator.GTE, Operator.IN, Operator.IS_NULL, Operator.NOT_NULL);

    private final String expected;

    ColumnType(String expected) {
        this.expected = expected;
    }

    /** The kind of a column by the catalog's type name: DuckDB's ({@code INTEGER}, ...) or Snowflake's. */
    public static ColumnType of(String catalogType) {
        String type = catalogType == null ? "" : catalogType.strip().toUpperCase(Locale.ROOT);
        int paren = type.indexOf('(');
        String base = paren < 0 ? type : type.substring(0, paren).strip();
        return switch (base) {
            case "TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT", "BYTEINT" -> INTEGER;
            // a scale of 0 holds integers only (Snowflake's integer columns are NUMBER(38,0))
            case "DECIMAL", "NUMERIC", "NUMBER" -> type.matches(".*\\(\\s*\\d+\\s*,\\s*0\\s*\\)") ? INTEGER : DECIMAL;
            case "DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8", "DOUBLE PRECISION" -> FLOAT;
            case "VARCHAR", "TEXT", "STRING", "CHAR", "CHARACTER", "BPCHAR" -> TEXT;
            case "BOOLEAN", "BOOL" -> BOOLEAN;
            case "DATE" -> DATE;
            case "TIMESTAMP", "TIMESTAMP_NTZ", "DATETIME", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS" -> TIMESTAMP;
            case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMP_TZ", "TIMESTAMP_LTZ" -> TIMESTAMP_TZ;
            case "TIME" -> TIME;
            default -> OTHER;
        };
    }

    /** The most digits before the point of any warehouse's DECIMAL (DuckDB's and Snowflake's precision is 38). */
    private static final int MAX_DECIMAL_DIGITS = 38;

    /** The operators that apply to a column of this kind, in wire order. */
    public Set<Operator> operators() {
        return switch (this) {
            case TEXT -> EnumSet.allOf(Operator.class);
            case BOOLEAN -> EnumSet.of(Operator.EQ, Operator.NEQ, Operator.IS_NULL, Operator.NOT_NULL);
            case OTHER -> EnumSet.of(Operator.IS_NULL, Operator.NOT_NULL);
            default -> ORDERED;
        };
    }

    /** The wire names of {@link #operators()}. */
    public List<String> operatorNames() {
        return operators().stream().map(Operator::wireName).toList();
    }

    /** Whether a bound value of this kind is text that the statement casts to the column's type. */
    boolean castFromText() {
        return this == DATE || this == TIMESTAMP || this == TIMESTAMP_TZ || this == TIME;
    }

    /**
     * The value to bind for a JSON scalar compared with a column of this kind; a {@link QuestionException} naming
     * {@code path} if it does not fit.
     */
    Object bind(JsonNode value, String path, String column, String catalogType) {
        String wrong = path + " must be " + expected + " for column " + column + " (" + catalogType + ")";
        try {
            return switch (this) {
                case INTEGER -> {
                    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                        throw new QuestionException(wrong + (value.isIntegralNumber() ? ": it is out of range." : "."));
                    }
                    yield value.longValue();
                }
                case DECIMAL -> {
                    if (!value.isNumber()) {
                        throw new QuestionException(wrong + ".");
                    }
                    if (value.isIntegralNumber() && value.canConvertToLong()) {
                        yield value.longValue();
                    }
                    finite(value, wrong);
                    java.math.BigDecimal decimal = value.decimalValue();
                    if (decimal.precision() - decimal.scale() > MAX_DECIMAL_DIGITS) {
                        throw new QuestionException(wrong + ": it is out of range.");
                    }
                    yield decimal;
                }
                case FLOAT -> {
                    if (!value.isNumber()) {
                        throw new QuestionException(wrong + ".");
                    }
                    finite(value, wrong);
                    yield value.doubleValue();
                }
                case TEXT -> {
                    if (!value.isTextual()) {
                        throw new QuestionException(wrong + ".");
                    }
                    yield value.textValue();
                }
                case BOOLEAN -> {
                    if (!value.isBoolean()) {
                        throw new QuestionException(wrong + ".");
                    }
                    yield value.booleanValue();
                }
                case DATE -> LocalDate.parse(text(value, wrong)).toString();
                case TIMESTAMP -> LocalDateTime.parse(text(value, wrong)).toString();
                case TIMESTAMP_TZ -> OffsetDateTime.parse(text(value, wrong)).toString();
                case TIME -> LocalTime.parse(text(value, wrong)).toString();
                case OTHER -> throw new QuestionException(wrong + ".");
            };
        } catch (DateTimeParseException e) {
            throw new QuestionException(wrong + ".");
        }
    }

    /** A number too large for a double (such as {@code 1e400}, which JSON allows) is out of range. */
    private static void finite(JsonNode value, String wrong) {
        if (!Double.isFinite(value.doubleValue())) {
            throw new QuestionException(wrong + ": it is out of range.");
        }
    }

    private static String text(JsonNode value, String wrong) {
        if (!value.isTextual() || value.textValue().length() > 64) {
            throw new QuestionException(wrong + ".");
        }
        return value.textValue();
    }
}
