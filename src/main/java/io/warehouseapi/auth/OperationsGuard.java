package io.warehouseapi.auth;

import io.vertx.ext.web.RoutingContext;
import io.warehouseapi.transport.RouterMount;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With authentication on, the operations endpoints under {@code /observe/} on the API's port answer anonymous
 * callers only with what a load balancer or an orchestrator needs: {@code /observe/health/live} and
 * {@code /observe/health/ready}, as they are (no {@code exposureLevel}). Metrics and detailed health (which can name
 * files, hosts and error text) need a credential the API accepts, as an {@code Authorization: Bearer} header (a
 * Prometheus scrape config's {@code authorization}); without one: {@code 401}, with no body. Refused credentials count
 * against their address as sign-ins do ({@link FailedAttempts}).
 */
public class OperationsGuard extends RouterMount {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsGuard.class);

    private final Authenticator authenticator;
    private final FailedAttempts failures;

    public OperationsGuard(int serverPort, Authenticator authenticator, FailedAttempts failures) {
        super(serverPort, "the guard of /observe/ is");
        this.authenticator = authenticator;
        this.failures = failures;
    }

    @Override
    protected void mount(VertxPlatformHttpRouter router) {
        // before the management endpoints' own routes, whenever those were added
        router.route("/observe/*").order(Integer.MIN_VALUE).handler(this::check);
        LOG.info("Metrics and detailed health need a credential (api.auth.mode={}); liveness and readiness are "
                 + "open", authenticator.mode());
    }

    private void check(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean probe = path.equals("/observe/health/live") || path.equals("/observe/health/ready");
        if (probe && ctx.request().query() == null) {
            ctx.next();
            return;
        }
        String address = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
        String header = ctx.request().getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            && failures.waitBeforeTrying(address).isZero()) {
            try {
                authenticator.authenticate(header.substring(7).strip());
                failures.succeeded(address);
                ctx.next();
                return;
            } catch (AuthenticationException e) {
                failures.failed(address);
                LOG.info("{} from {}: credential refused: {}", path, address, e.getMessage());
            }
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer").putHeader("Cache-Control", "no-store")
                .setStatusCode(401).end();
    }
}
