package io.warehouseapi.api;

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
import io.warehouseapi.query.CancelOutcome;
import io.warehouseapi.query.QueryProgress;
import io.warehouseapi.store.Page;
import io.warehouseapi.warehouse.Column;
import io.warehouseapi.warehouse.ExposedView;
import io.warehouseapi.warehouse.QueryState;

/**
 * Shapes every reply of the protocol as one JSON text. Field order is fixed ({@code type} first) and values keep their
 * JSON types: numbers as numbers, decimals with all their digits, SQL NULL as null, dates and timestamps as ISO-8601
 * strings, semi-structured values as nested JSON.
 */
public class Replies {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    /** The {@code submitted} reply; the wording ({@code api.submitted-message}) comes from the route. */
    public String submitted(ApiRequest request, String submittedMessage) {
        return write(gen -> {
            gen.writeStringField("type", "submitted");
            gen.writeStringField("message", submittedMessage);
            requestId(gen, request);
        });
    }

    /** The reply to {@code auth}: the principal the connection now speaks for (none when authentication is off). */
    public String authenticated(String principal, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "authenticated");
            if (principal != null) {
                gen.writeStringField("principal", principal);
            }
            requestId(gen, request);
        });
    }

    public String running(String queryId, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "running");
            gen.writeStringField("query_id", queryId);
            requestId(gen, request);
        });
    }

    public String progress(QueryProgress progress, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "progress");
            gen.writeStringField("query_id", progress.queryId());
            gen.writeStringField("status", progress.state().name());
            gen.writeNumberField("elapsed_ms", progress.elapsedMs());
            requestId(gen, request);
        });
    }

    public String results(Page page, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "results");
            gen.writeStringField("query_id", page.queryId());
            gen.writeNumberField("offset", page.offset());
            gen.writeNumberField("page_size", page.pageSize());
            gen.writeNumberField("row_count", page.rows().size());
            gen.writeNumberField("total_rows", page.totalRows());
            List<Column> columns = page.columns();
            gen.writeArrayFieldStart("columns");
            for (Column column : columns) {
                gen.writeStartObject();
                gen.writeStringField("name", column.name());
                gen.writeStringField("type", column.type());
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart("results");
            for (Object[] row : page.rows()) {
                gen.writeStartObject();
                for (int i = 0; i < row.length; i++) {
                    gen.writeFieldName(columns.get(i).name());
                    writeValue(gen, row[i]);
                }
                gen.writeEndObject();
            }
            gen.writeEndArray();
            requestId(gen, request);
        });
    }

    public String cancelled(CancelOutcome outcome, ApiRequest request) {
        if (!outcome.cancelled()) {
            return status(outcome.queryId(), outcome.state(), request);
        }
        return write(gen -> {
            gen.writeStringField("type", "cancelled");
            gen.writeStringField("query_id", outcome.queryId());
            requestId(gen, request);
        });
    }

    public String status(String queryId, QueryState state, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "status");
            gen.writeStringField("query_id", queryId);
            gen.writeStringField("status", state.name());
            requestId(gen, request);
        });
    }

    public String views(List<ExposedView> views, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "views");
            gen.writeArrayFieldStart("views");
            for (ExposedView view : views) {
                gen.writeStartObject();
                gen.writeStringField("name", view.name());
                gen.writeArrayFieldStart("columns");
                for (Column column : view.columns()) {
                    gen.writeStartObject();
                    gen.writeStringField("name", column.name());
                    gen.writeStringField("type", column.type());
                    gen.writeEndObject();
                }
                gen.writeEndArray();
                gen.writeEndObject();
            }
            gen.writeEndArray();
            requestId(gen, request);
        });
    }

    /**
     * The error reply for a failure. An {@link ApiException} speaks for itself; anything else is {@code INTERNAL},
     * with a fixed sentence, so that no stack trace, secret or SQL of the server's own reaches a client.
     */
    public String error(Throwable failure, ApiRequest request, String queryId) {
        ErrorCode code;
        String message;
        String failedQuery = queryId;
        String requestId = request == null ? null : request.requestId();
        ApiException api = apiCause(failure);
        if (api != null) {
            code = api.getCode();
            message = api.getMessage();
            if (api.getQueryId() != null) {
                failedQuery = api.getQueryId();
            }
            if (api.getRequestId() != null) {
                requestId = api.getRequestId();
            }
        } else {
            code = ErrorCode.INTERNAL;
            message = "The server could not handle the request.";
        }
        String id = requestId;
        String query = failedQuery;
        return write(gen -> {
            gen.writeStringField("type", "error");
            gen.writeStringField("code", code.name());
            gen.writeStringField("message", message);
            if (query != null) {
                gen.writeStringField("query_id", query);
            }
            if (id != null) {
                gen.writeStringField("request_id", id);
            }
        });
    }

    /** The ApiException in a failure's cause chain: bean invocations wrap what a bean throws. */
    private static ApiException apiCause(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
        }
        return null;
    }

    private static void requestId(JsonGenerator gen, ApiRequest request) throws IOException {
        if (request != null && request.requestId() != null) {
            gen.writeStringField("request_id", request.requestId());
        }
    }

    static void writeValue(JsonGenerator gen, Object value) throws IOException {
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
                   || value instanceof io.warehouseapi.snowflake.SnowflakeWarehouse.RawJson) {
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

    private interface Body {
        void write(JsonGenerator gen) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            body.write(gen);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
