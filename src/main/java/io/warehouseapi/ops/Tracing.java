package io.warehouseapi.ops;

import java.util.Map;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import org.apache.camel.CamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces of the flow as OpenTelemetry spans, made by Camel's own support (camel-opentelemetry2: a span for each route
 * an exchange runs through, each endpoint it is sent to, and each step of a route) and exported over OTLP, when the
 * standard settings name an endpoint ({@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT},
 * or their {@code otel.*} system properties; every other {@code OTEL_*} setting applies as the OpenTelemetry SDK
 * documents it). Without one, nothing is set up, and the spans' attributes that the API sets go to OpenTelemetry's
 * no-op API.
 */
public final class Tracing {

    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

    private Tracing() {
    }

    /** The tracer spans outside Camel's routes are made with: the SDK's once started, else a no-op one. */
    public static io.opentelemetry.api.trace.Tracer tracer(CamelContext context) {
        io.opentelemetry.api.trace.Tracer tracer = context.getRegistry()
                .findSingleByType(io.opentelemetry.api.trace.Tracer.class);
        return tracer != null ? tracer : io.opentelemetry.api.trace.TracerProvider.noop().get("warehouse-api");
    }

    /** Whether an OTLP endpoint is configured, and the SDK not disabled. */
    public static boolean configured(Map<String, String> environment) {
        String disabled = setting(environment, "otel.sdk.disabled");
        if ("true".equalsIgnoreCase(disabled)) {
            return false;
        }
        return setting(environment, "otel.exporter.otlp.endpoint") != null
               || setting(environment, "otel.exporter.otlp.traces.endpoint") != null;
    }

    private static String setting(Map<String, String> environment, String property) {
        String value = System.getProperty(property);
        if (value == null) {
            value = environment.get(property.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
        }
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * Starts the SDK from the {@code OTEL_*} settings (service name {@code warehouse-api}, traces only, unless set
     * otherwise) and Camel's tracer on it; returns the SDK, which flushes and stops when closed.
     */
    public static OpenTelemetrySdk start(CamelContext context) {
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.service.name", "warehouse-api",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                .build().getOpenTelemetrySdk();
        // camel-opentelemetry2 takes its tracer and propagators from the registry
        context.getRegistry().bind("openTelemetryTracer", sdk.getTracer("warehouse-api"));
        context.getRegistry().bind("openTelemetryPropagators", sdk.getPropagators());
        OpenTelemetryTracer tracer = new OpenTelemetryTracer();
        // a span for each route and endpoint, and for the steps of a route that have an id of their own
        // (submit-query, each wait-and-poll, read-first-page, read-page, issue-export-link): the steps with
        // generated ids (setProperty12, choice3, ...) are left out, as are the background timers (reconnecting,
        // pings, eviction, the catalog), since nobody follows them and each span costs
        tracer.setTraceProcessors(true);
        tracer.setExcludePatterns("timer*,(bean|setBody|setProperty|choice|filter|to|log|loop|when|otherwise"
                                  + "|onException|stop)[0-9]+(-.+)?");
        tracer.init(context);
        LOG.info("Traces are exported over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT)");
        return sdk;
    }
}
