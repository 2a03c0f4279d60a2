package io.warehouseapi.query;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.warehouseapi.model.Owner;

/**
 * The attributes the query layer gives the span Camel's tracing has made current (the step of the route that called
 * it), and the trace id for the lifecycle log lines: the view, the query id, the principal, the rows, the outcome;
 * never a credential or an export link's token. Without tracing set up, the current span is OpenTelemetry's no-op
 * one, and this costs nothing.
 */
final class TraceTags {

    private TraceTags() {
    }

    /** The current trace's id, for a log line; {@code -} outside a trace. */
    static String traceId() {
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? context.getTraceId() : "-";
    }

    /** A query asked for: its view, id, how it was answered and, with authentication, its principal. */
    static void query(String view, String queryId, Owner owner, String how) {
        Span span = current(view, queryId);
        if (span == null) {
            return;
        }
        span.setAttribute("warehouse_api.how", how);
        if (owner.isPrincipal()) {
            span.setAttribute("enduser.id", owner.principal());
        }
    }

    /** A page read: its query, offset and rows. */
    static void page(String view, String queryId, long offset, int rows) {
        Span span = current(view, queryId);
        if (span == null) {
            return;
        }
        span.setAttribute("warehouse_api.offset", offset);
        span.setAttribute("warehouse_api.rows", rows);
    }

    /** The span of this step with its view and query id set, or null when nothing is traced. */
    private static Span current(String view, String queryId) {
        Span span = Span.current();
        if (!span.getSpanContext().isValid()) {
            return null;
        }
        span.setAttribute("warehouse_api.view", view);
        span.setAttribute("warehouse_api.query_id", queryId);
        return span;
    }

    /** A function that runs, on whatever thread, in the trace current where it was made. */
    static <T, R> java.util.function.Function<T, R> inCurrentTrace(java.util.function.Function<T, R> function) {
        io.opentelemetry.context.Context context = io.opentelemetry.context.Context.current();
        return value -> {
            try (io.opentelemetry.context.Scope ignored = context.makeCurrent()) {
                return function.apply(value);
            }
        };
    }

    /** How a query ended: SUCCESS, FAILED, CANCELLED or TIMEOUT. */
    static void outcome(String queryId, String outcome) {
        Span span = Span.current();
        if (span.getSpanContext().isValid() && outcome != null) {
            span.setAttribute("warehouse_api.query_id", queryId);
            span.setAttribute("warehouse_api.outcome", outcome);
        }
    }
}
