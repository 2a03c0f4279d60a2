package io.warehouseapi.transport;

import io.vertx.ext.web.handler.StaticHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the browser client ({@code client/}) at {@code /} on the application's HTTP server, beside the WebSocket
 * endpoint. Vert.x Web's StaticHandler serves only files under the web root ({@code client/} in the working
 * directory, which makes edits live while developing, else {@code client/} on the classpath, as packaged), never
 * anything else on the disk.
 */
public class ClientPages implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(ClientPages.class);

    private final int serverPort;
    private final String webRoot;
    private final java.util.concurrent.atomic.AtomicBoolean mounted = new java.util.concurrent.atomic.AtomicBoolean();

    public ClientPages(int serverPort, String webRoot) {
        this.serverPort = serverPort;
        this.webRoot = webRoot;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        if (alreadyStarted || mounted.get()) {
            return; // routes added to a running context, as on reload: the pages are served already
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(serverPort));
        if (router == null) {
            LOG.warn("No HTTP server on port {}: the browser client is not served", serverPort);
            return;
        }
        mounted.set(true);
        router.route("/*").handler(StaticHandler.create(webRoot)
                .setIndexPage("index.html")
                .setCachingEnabled(false)
                .setDirectoryListing(false)
                .setIncludeHidden(false));
        LOG.info("Browser client served at / from {}/", webRoot);
    }
}
