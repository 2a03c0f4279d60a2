package io.warehouseapi.query;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How long a finished result answers identical {@code run_view}s: a default window and overrides per view, as the
 * flow tunables {@code results.reuse-window} and {@code results.reuse-window.views} give them (an ISO-8601 duration
 * such as {@code PT5M}, or {@code 0} for no reuse; overrides as {@code VIEW=duration} separated by spaces or commas).
 */
public record ReusePolicy(Duration defaultWindow, Map<String, Duration> perView) {

    /** No reuse at all. */
    public static final ReusePolicy NONE = new ReusePolicy(Duration.ZERO, Map.of());

    public ReusePolicy {
        perView = Map.copyOf(perView);
    }

    /** Parses the two settings; a wrong value names the setting. */
    public static ReusePolicy parse(String defaultWindow, String overrides) {
        Duration window = duration(defaultWindow, "results.reuse-window");
        Map<String, Duration> perView = new HashMap<>();
        if (overrides != null) {
            for (String entry : overrides.trim().split("[\\s,]+")) {
                if (entry.isEmpty()) {
                    continue;
                }
                int equals = entry.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("results.reuse-window.views: '" + entry
                                                       + "' is not VIEW=duration");
                }
                perView.put(entry.substring(0, equals).toUpperCase(Locale.ROOT),
                        duration(entry.substring(equals + 1), "results.reuse-window.views"));
            }
        }
        return new ReusePolicy(window, perView);
    }

    private static Duration duration(String text, String setting) {
        String value = text == null ? "" : text.trim();
        if (value.isEmpty() || value.equals("0")) {
            return Duration.ZERO;
        }
        try {
            Duration duration = Duration.parse(value);
            if (duration.isNegative()) {
                throw new IllegalArgumentException(setting + " must not be negative: " + value);
            }
            return duration;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(setting + ": '" + value
                                               + "' is not an ISO-8601 duration such as PT5M, or 0", e);
        }
    }

    /** The window of a view (by the name clients see, matched without regard to ASCII case). */
    public Duration windowFor(String view) {
        return perView.getOrDefault(view.toUpperCase(Locale.ROOT), defaultWindow);
    }
}
