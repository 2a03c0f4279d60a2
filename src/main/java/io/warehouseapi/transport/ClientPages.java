package io.warehouseapi.transport;

import io.vertx.ext.web.handler.StaticHandler;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the browser client ({@code client/}) at {@code /} on the application's HTTP server, beside the WebSocket
 * endpoint. Vert.x Web's StaticHandler serves only files under the web root ({@code client/} in the working
 * directory, which makes edits live while developing, else {@code client/} on the classpath, as packaged), never
 * anything else on the disk.
 */
public class ClientPages extends RouterMount {

    private static final Logger LOG = LoggerFactory.getLogger(ClientPages.class);

    /** What a Host header may hold to be named in the page's policy: a host name or address and a port. */
    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Za-z0-9.\\[\\]:-]{1,255}");

    private final String webRoot;
    private final String extraConnectSources;

    /**
     * @param connectSources other endpoints the page may connect to ({@code api.client.connect-src}, space- or
     *                       comma-separated origins such as {@code wss://api.example.com}), beside its own
     */
    public ClientPages(int serverPort, String webRoot, String connectSources) {
        super(serverPort, "the browser client is");
        this.webRoot = webRoot;
        this.extraConnectSources = String.join(" ", java.util.Arrays.stream(connectSources.split("[,\\s]+"))
                .filter(source -> source.matches("(wss?|https?)://[A-Za-z0-9.\\[\\]:-]+")).toList());
    }

    @Override
    protected void mount(VertxPlatformHttpRouter router) {
        router.route("/*").handler(this::securityHeaders).handler(StaticHandler.create(webRoot)
                .setIndexPage("index.html")
                .setCachingEnabled(false)
                .setDirectoryListing(false)
                .setIncludeHidden(false));
        LOG.info("Browser client served at / from {}/", webRoot);
    }

    /**
     * The page's own protection: it loads nothing but its own files, connects only to its own origin's WebSocket
     * (and {@code api.client.connect-src}), may not be framed (clickjacking), types are not sniffed, and no referrer
     * leaves it.
     */
    private void securityHeaders(io.vertx.ext.web.RoutingContext ctx) {
        // the Host header of HTTP/1.1, or the :authority of HTTP/2
        io.vertx.core.net.HostAndPort authority = ctx.request().authority();
        String host = authority == null ? null
                : authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
        String own = host != null && HOST.matcher(host).matches() ? " ws://" + host + " wss://" + host : "";
        ctx.response()
                .putHeader("Content-Security-Policy", "default-src 'self'; connect-src 'self'" + own
                        + (extraConnectSources.isEmpty() ? "" : " " + extraConnectSources)
                        + "; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
                        + "frame-ancestors 'none'")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer");
        ctx.next();
    }
}
