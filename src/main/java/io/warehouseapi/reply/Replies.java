package io.warehouseapi.reply;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.warehouseapi.api.ApiException;
import io.warehouseapi.api.ApiRequest;
import io.warehouseapi.api.ErrorCode;
import io.warehouseapi.model.Column;
import io.warehouseapi.model.ExposedView;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.query.CancelOutcome;
import io.warehouseapi.query.ExportLink;
import io.warehouseapi.query.QueryFailure;
import io.warehouseapi.query.QueryProgress;
import io.warehouseapi.query.QueryService;
import io.warehouseapi.query.ResultPage;
import io.warehouseapi.question.ColumnType;
import io.warehouseapi.store.Page;

/**
 * Shapes every reply of the protocol as one JSON text, with its field order fixed ({@code type} first). A page's rows
 * come already shaped ({@link io.warehouseapi.store.RowsJson}), so that a page read again is not shaped again.
 */
public class Replies {

    private static final JsonFactory JSON = new JsonFactory();
    private static final java.util.regex.Pattern QUERY_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._~-]{1,64}");

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

    /**
     * The {@code results} reply. Its rows are already JSON, so the reply is put together around them in one copy
     * rather than passed through a generator again: a page from the page cache costs little more than its bytes.
     */
    public String results(ResultPage result, ApiRequest request) {
        Page page = result.page();
        String head = write(gen -> {
            gen.writeStringField("type", "results");
            gen.writeStringField("query_id", result.queryId());
            gen.writeStringField("computed_at", result.computedAt().toString());
            gen.writeNumberField("offset", page.offset());
            gen.writeNumberField("page_size", page.pageSize());
            gen.writeNumberField("row_count", page.rowCount());
            if (page.complete()) {
                gen.writeNumberField("total_rows", page.totalRows());
            } else {
                // the first rows, sent while the rest of the result is stored: its size comes with "complete"
                gen.writeNullField("total_rows");
                gen.writeBooleanField("complete", false);
            }
            gen.writeArrayFieldStart("columns");
            for (Column column : page.columns()) {
                gen.writeStartObject();
                gen.writeStringField("name", column.name());
                gen.writeStringField("type", column.type());
                gen.writeEndObject();
            }
            gen.writeEndArray();
        });
        String tail = write(gen -> requestId(gen, request));
        // head is {...} and tail {} or {"request_id":...}: open the one, and the other after the rows
        return head.substring(0, head.length() - 1) + ",\"results\":" + page.rowsJson()
               + (tail.length() > 2 ? "," + tail.substring(1) : "}");
    }

    /** The {@code complete} message: a result whose first page went ahead of it is stored whole. */
    public String complete(QueryService.Completion completion, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "complete");
            gen.writeStringField("query_id", completion.queryId());
            gen.writeNumberField("total_rows", completion.totalRows());
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

    public String export(ExportLink link, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "export");
            gen.writeStringField("query_id", link.queryId());
            gen.writeStringField("format", link.format());
            gen.writeStringField("url", link.url());
            gen.writeStringField("expires_at", link.expiresAt().toString());
            requestId(gen, request);
        });
    }

    public String status(String queryId, QueryState state, ApiRequest request) {
        return status(new QueryService.Status(queryId, state, -1), request);
    }

    /** {@code query_status}'s reply; {@code rows_stored} only while a result is stored as it arrives. */
    public String status(QueryService.Status status, ApiRequest request) {
        return write(gen -> {
            gen.writeStringField("type", "status");
            gen.writeStringField("query_id", status.queryId());
            gen.writeStringField("status", status.state().name());
            if (status.rowsStored() >= 0) {
                gen.writeNumberField("rows_stored", status.rowsStored());
            }
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
                    gen.writeArrayFieldStart("operators");
                    for (String operator : ColumnType.of(column.type()).operatorNames()) {
                        gen.writeString(operator);
                    }
                    gen.writeEndArray();
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
     * The error reply for a failure. An {@link ApiException} speaks for itself, a {@link QueryFailure} with the code of
     * its kind; anything else is {@code INTERNAL}, with a fixed sentence, so that no stack trace, secret or SQL of the
     * server's own reaches a client.
     */
    public String error(Throwable failure, ApiRequest request, String queryId) {
        ErrorCode code;
        String message;
        String failedQuery = queryId;
        String requestId = request == null ? null : request.requestId();
        ApiException api = cause(failure, ApiException.class);
        if (api == null) {
            QueryFailure query = cause(failure, QueryFailure.class);
            api = query == null ? null : FailureCodes.asProtocolError(query);
        }
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
        String about = failedQuery;
        return write(gen -> {
            gen.writeStringField("type", "error");
            gen.writeStringField("code", code.name());
            gen.writeStringField("message", message);
            // a query id as the protocol forms them; whatever else a client sent is not echoed
            if (about != null && QUERY_ID.matcher(about).matches()) {
                gen.writeStringField("query_id", about);
            }
            if (id != null) {
                gen.writeStringField("request_id", id);
            }
        });
    }

    /** The first failure of a type in a failure's cause chain: bean invocations wrap what a bean throws. */
    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static void requestId(JsonGenerator gen, ApiRequest request) throws IOException {
        if (request != null && request.requestId() != null) {
            gen.writeStringField("request_id", request.requestId());
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
