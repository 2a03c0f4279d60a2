package io.warehouseapi.store;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.Struct;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.warehouseapi.model.Column;

/**
 * The rows of a page as the JSON array a {@code results} reply carries: one object per row, keyed by column name in
 * column order. Values keep their JSON types: numbers as numbers, decimals with all their digits, SQL NULL as null,
 * dates and timestamps as ISO-8601 strings, semi-structured values as nested JSON.
 */
public final class RowsJson {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private RowsJson() {
    }

    /** The JSON array of {@code rows}, each an array of values in the order of {@code columns}. */
    public static String render(List<Column> columns, List<Object[]> rows) {
        StringWriter out = new StringWriter(2 + rows.size() * 256);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartArray();
            for (Object[] row : rows) {
                gen.writeStartObject();
                for (int i = 0; i < row.length; i++) {
                    gen.writeFieldName(columns.get(i).name());
                    writeValue(gen, row[i]);
                }
                gen.writeEndObject();
            }
            gen.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeValue(JsonGenerator gen, Object value) throws IOException {
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof String s) {
            gen.writeString(s);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                   || value instanceof Byte) {
            gen.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                gen.writeNull();
            } else {
                gen.writeNumber(d);
            }
        } else if (value instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                gen.writeNull();
            } else {
                gen.writeNumber(f);
            }
        } else if (value instanceof BigDecimal d) {
            gen.writeNumber(d.toPlainString());
        } else if (value instanceof BigInteger i) {
            gen.writeNumber(i);
        } else if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof LocalDateTime t) {
            gen.writeString(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t));
        } else if (value instanceof OffsetDateTime t) {
            gen.writeString(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t));
        } else if (value instanceof LocalDate d) {
            gen.writeString(DateTimeFormatter.ISO_LOCAL_DATE.format(d));
        } else if (value instanceof LocalTime t) {
            gen.writeString(DateTimeFormatter.ISO_LOCAL_TIME.format(t));
        } else if (value instanceof OffsetTime t) {
            gen.writeString(DateTimeFormatter.ISO_OFFSET_TIME.format(t));
        } else if (value instanceof byte[] bytes) {
            gen.writeString(Base64.getEncoder().encodeToString(bytes));
        } else if (value instanceof Array array) {
            writeArray(gen, array);
        } else if (value instanceof Struct struct) {
            writeStruct(gen, struct);
        } else if (value instanceof Map<?, ?> map) {
            gen.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                gen.writeFieldName(String.valueOf(entry.getKey()));
                writeValue(gen, entry.getValue());
            }
            gen.writeEndObject();
        } else if (value instanceof org.duckdb.JsonNode
                   || value instanceof RawJson) {
            // a JSON value from the engine, already valid JSON text
            gen.writeRawValue(value.toString());
        } else {
            gen.writeString(value.toString());
        }
    }

    private static void writeArray(JsonGenerator gen, Array array) throws IOException {
        try {
            gen.writeStartArray();
            for (Object element : (Object[]) array.getArray()) {
                writeValue(gen, element);
            }
            gen.writeEndArray();
        } catch (SQLException e) {
            throw new IOException("Cannot read an array value", e);
        }
    }

    private static void writeStruct(JsonGenerator gen, Struct struct) throws IOException {
        try {
            if (struct instanceof org.duckdb.DuckDBStruct duck) {
                writeValue(gen, duck.getMap());
                return;
            }
            gen.writeStartArray();
            for (Object attribute : struct.getAttributes()) {
                writeValue(gen, attribute);
            }
            gen.writeEndArray();
        } catch (SQLException e) {
            throw new IOException("Cannot read a struct value", e);
        }
    }
}
