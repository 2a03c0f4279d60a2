package io.warehouseapi.transport;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.vertx.core.http.ServerWebSocket;

/**
 * Which browser pages may open a connection, against cross-site WebSocket hijacking ({@code api.allowed-origins}).
 * A client that sends no Origin header (wscat, programs) is not a browser page and is served; the page served by the
 * API itself (an Origin naming the host the client connected to) always is; any other Origin, {@code null} (a page
 * opened from disk) included, must be in the list, or the list must be {@code *}.
 */
public class OriginPolicy {

    private final boolean any;
    private final Set<String> allowed;

    public OriginPolicy(String allowedOrigins) {
        Set<String> origins = Arrays.stream(allowedOrigins.split(","))
                .map(String::strip).filter(origin -> !origin.isEmpty())
                .map(origin -> origin.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        this.any = origins.contains("*");
        this.allowed = origins;
    }

    public boolean allows(ServerWebSocket socket) {
        String origin = socket.headers().get("Origin");
        if (origin == null || any) {
            return true;
        }
        String normalized = origin.strip().toLowerCase(Locale.ROOT);
        String host = socket.headers().get("Host");
        if (host != null && (normalized.equals("http://" + host.toLowerCase(Locale.ROOT))
                             || normalized.equals("https://" + host.toLowerCase(Locale.ROOT)))) {
            return true;
        }
        return allowed.contains(normalized);
    }
}
