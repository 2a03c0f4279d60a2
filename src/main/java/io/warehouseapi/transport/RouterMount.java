package io.warehouseapi.transport;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handlers mounted on the application's HTTP server (Camel's platform-http router of {@code camel.server.port}), once,
 * when Camel has started it. Routes added to a running context later (a reload) mount nothing again.
 */
public abstract class RouterMount implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(RouterMount.class);

    private final int serverPort;
    private final String what;
    private final AtomicBoolean mounted = new AtomicBoolean();

    /** @param what what the handlers serve, for the warning when there is no HTTP server on the port */
    protected RouterMount(int serverPort, String what) {
        this.serverPort = serverPort;
        this.what = what;
    }

    @Override
    public final void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        if (alreadyStarted || mounted.get()) {
            return;
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(serverPort));
        if (router == null) {
            LOG.warn("No HTTP server on port {}: {} not served", serverPort, what);
            return;
        }
        if (mounted.compareAndSet(false, true)) {
            mount(router);
        }
    }

    /** Adds this part's handlers to the router. */
    protected abstract void mount(VertxPlatformHttpRouter router);
}
