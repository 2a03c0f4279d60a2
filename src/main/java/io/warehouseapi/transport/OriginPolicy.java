package io.warehouseapi.transport;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.vertx.core.http.ServerWebSocket;

/**
 * Which browser pages may open a connection, and under which host names, against cross-site WebSocket hijacking
 * ({@code api.allowed-origins}) and DNS rebinding ({@code api.allowed-hosts}).
 * <ul>
 *   <li>A client that sends no Origin header (wscat, programs) is not a browser page and is served; the page served
 *   by the API itself (an Origin naming the host the client connected to) always is; any other Origin must be in the
 *   list, or the list must be {@code *}.</li>
 *   <li>{@code null}, the Origin of a page opened from disk, which any web site can also give itself (a sandboxed
 *   frame), is accepted only where {@code nullOrigin} says so: for the generated sample served on loopback, where
 *   the original sample page opened from disk must work and there is nothing to steal.</li>
 *   <li>The Host header must name a host the server answers to: one of {@code hosts} (lower case, without port), or
 *   any when {@code hosts} is null. A server on loopback answers to the loopback names only by default, so that a
 *   web site whose name an attacker points at 127.0.0.1 (DNS rebinding) gets no connection.</li>
 * </ul>
 */
public class OriginPolicy {

    /** The names of the loopback interface that a browser on the same machine uses. */
    public static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private final boolean any;
    private final Set<String> allowed;
    private final boolean nullOrigin;
    private final Set<String> hosts;

    /**
     * @param allowedOrigins comma-separated origins, or {@code *}
     * @param nullOrigin     whether {@code Origin: null} is accepted when listed
     * @param hosts          the host names the server answers to; null for any
     */
    public OriginPolicy(String allowedOrigins, boolean nullOrigin, Set<String> hosts) {
        Set<String> origins = Arrays.stream(allowedOrigins.split(","))
                .map(String::strip).filter(origin -> !origin.isEmpty())
                .map(origin -> origin.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        this.any = origins.contains("*");
        this.allowed = origins;
        this.nullOrigin = nullOrigin;
        this.hosts = hosts;
    }

    /** Why a socket may not stay open; null if it may. */
    public String refusal(ServerWebSocket socket) {
        String host = socket.headers().get("Host");
        if (hosts != null && (host == null || !hosts.contains(hostName(host)))) {
            return "Host not allowed";
        }
        String origin = socket.headers().get("Origin");
        if (origin == null) {
            return null;
        }
        String normalized = origin.strip().toLowerCase(Locale.ROOT);
        if (host != null && (normalized.equals("http://" + host.toLowerCase(Locale.ROOT))
                             || normalized.equals("https://" + host.toLowerCase(Locale.ROOT)))) {
            return null;
        }
        if (normalized.equals("null")) {
            return nullOrigin && (any || allowed.contains("null")) ? null : "Origin not allowed";
        }
        return any || allowed.contains(normalized) ? null : "Origin not allowed";
    }

    /** The host name of a Host header, lower case, without its port ({@code [::1]} keeps its brackets). */
    static String hostName(String header) {
        String host = header.strip().toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        if (colon > host.lastIndexOf(']')) {
            host = host.substring(0, colon);
        }
        return host;
    }
}
