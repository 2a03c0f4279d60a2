package io.warehouseapi.transport;

import io.vertx.core.http.ServerWebSocket;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.vertx.websocket.VertxWebsocketComponent;
import org.apache.camel.component.vertx.websocket.VertxWebsocketHost;
import org.apache.camel.component.vertx.websocket.VertxWebsocketHostConfiguration;
import org.apache.camel.component.vertx.websocket.VertxWebsocketHostKey;
import org.apache.camel.component.vertx.websocket.VertxWebsocketPeer;
import org.apache.camel.spi.annotations.Component;

/**
 * camel-vertx-websocket whose consumers are served by the application's HTTP server (camel-platform-http-main,
 * {@code camel.server.*}) instead of a server of their own, so that the WebSocket endpoint, the browser client and
 * the health and metrics endpoints share one port. (The annotation repeats the parent's: Camel finds the
 * component's generated option configurers through it.)
 */
@Component("vertx-websocket")
public class SharedServerWebsocketComponent extends VertxWebsocketComponent {

    private final int serverPort;
    private final java.util.List<VertxWebsocketHost> hosts = new java.util.concurrent.CopyOnWriteArrayList<>();

    public SharedServerWebsocketComponent(int serverPort) {
        this.serverPort = serverPort;
    }

    @Override
    protected VertxWebsocketHost createVertxWebsocketHost(VertxWebsocketHostConfiguration hostConfiguration,
                                                          VertxWebsocketHostKey hostKey) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(serverPort));
        if (router == null) {
            throw new IllegalStateException("The HTTP server on port " + serverPort
                                            + " is not running: set camel.server.enabled=true");
        }
        VertxWebsocketHostConfiguration shared = new VertxWebsocketHostConfiguration(router.vertx(), router,
                hostConfiguration.getServerOptions(), hostConfiguration.getSslContextParameters());
        VertxWebsocketHost host = new VertxWebsocketHost(getCamelContext(), shared, hostKey) {
            @Override
            public void start() {
                // the application's HTTP server is already listening and routes to this host's handler
            }
        };
        hosts.add(host);
        return host;
    }

    /**
     * The open socket of a connection key, as the host registered it during the upgrade, before any of its frames
     * is handled; {@code null} if there is none.
     */
    public ServerWebSocket peer(String connectionKey) {
        for (VertxWebsocketHost host : hosts) {
            VertxWebsocketPeer peer = host.getConnectedPeer(connectionKey);
            if (peer != null) {
                return peer.getWebSocket();
            }
        }
        return null;
    }
}
