package io.warehouseapi.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.warehouseapi.api.ApiException;
import io.warehouseapi.api.ApiRequest;
import io.warehouseapi.api.ErrorCode;
import io.warehouseapi.model.Owner;
import io.warehouseapi.transport.Connections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who each connection speaks for ({@code api.auth.*}), and so who owns the queries it starts. With
 * {@code api.auth.mode=none} the owner is the connection itself. Otherwise a connection authenticates with an
 * {@code Authorization: Bearer} header on the upgrade request or a first {@code auth} message, and owns its queries
 * as its principal, on any connection. A request before that, or after the credential expired, is answered
 * {@code UNAUTHORIZED} and the connection is closed (1008) after a short grace; so is a connection that has not
 * authenticated within {@code api.auth.timeout}. A connection has one guess: once a credential it presented was
 * refused, no further {@code auth} message of it is evaluated; and an address whose credentials were refused too
 * often lately waits before its next one is evaluated ({@link FailedAttempts}).
 */
public class Sessions {

    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    private static final short POLICY_VIOLATION = 1008;

    private final Authenticator authenticator;
    private final Connections connections;
    private final FailedAttempts failures;
    private final Duration signInTimeout;
    private final Duration closeGrace;
    private final ScheduledExecutorService timer;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private volatile Function<JsonNode, String> scopeKeys = claims -> "";

    /** @param authenticator {@code null} for {@code api.auth.mode=none} */
    public Sessions(Authenticator authenticator, Connections connections, FailedAttempts failures,
                    Duration signInTimeout, Duration closeGrace, ScheduledExecutorService timer) {
        this.authenticator = authenticator;
        this.connections = connections;
        this.failures = failures;
        this.signInTimeout = signInTimeout;
        this.closeGrace = closeGrace;
        this.timer = timer;
    }

    /**
     * What a principal's scope is named by in the owner of its ids ({@code AccessControl.scopeKey}): its ids open only
     * while the access policies grant it the same.
     */
    public void scopedBy(Function<JsonNode, String> keys) {
        this.scopeKeys = keys;
    }

    public boolean isRequired() {
        return authenticator != null;
    }

    /** A connection has opened: it authenticates with its upgrade request's header, or must do so in time. */
    public void opened(String connection) {
        if (authenticator == null) {
            return;
        }
        Session session = session(connection);
        if (session.principal == null && !session.refused) {
            timer.schedule(() -> {
                Session current = sessions.get(connection);
                if (current != null && current.principal == null) {
                    LOG.info("Connection {} did not authenticate within {}; closing it", connection, signInTimeout);
                    connections.close(connection, POLICY_VIOLATION, "Unauthorized");
                }
            }, signInTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The owner of the queries a request may start or use: the connection ({@code none}) or its principal.
     *
     * @throws ApiException UNAUTHORIZED if the connection has not authenticated or its credential has expired; the
     *                      connection is then closed after the grace
     */
    public Owner owner(String connection) {
        if (authenticator == null) {
            return Owner.ofConnection(connection);
        }
        Session session = session(connection);
        Principal principal = session.principal;
        if (principal == null) {
            throw refuse(connection, session.refused
                    ? "The credential given when connecting was not accepted."
                    : "Authenticate first: send {\"action\":\"auth\",\"token\":\"...\"} or connect with an "
                      + "Authorization: Bearer header.");
        }
        if (principal.isExpired(Instant.now())) {
            session.principal = null;
            throw refuse(connection, "The credential has expired; connect again with a new one.");
        }
        return Owner.ofPrincipal(principal.name(), scopeKeys.apply(principal.claims()));
    }

    /**
     * The security context of a connection's principal (its claims), for the access policies; an empty one when the
     * connection has not signed in or authentication is off.
     */
    public JsonNode claims(String connection) {
        Session session = authenticator == null ? null : sessions.get(connection);
        Principal principal = session == null ? null : session.principal;
        return principal == null ? JsonNodeFactory.instance.objectNode() : principal.claims();
    }

    /**
     * The {@code auth} action: checks the token and signs the connection in as its principal; returns the
     * principal's name ({@code null} when authentication is off, where every connection may proceed).
     */
    public String authenticate(String connection, ApiRequest request) {
        if (authenticator == null) {
            return null;
        }
        Session session = session(connection);
        if (session.refused) {
            // one guess per connection: after a refused credential nothing more from it is evaluated
            throw refuse(connection, "A credential was already refused on this connection; connect again.",
                    request.requestId());
        }
        Principal principal;
        try {
            principal = check(connection, request.token());
        } catch (AuthenticationException e) {
            session.refused = true;
            LOG.warn("Connection {} from {}: authentication refused: {}", connection, connections.remoteAddress(connection),
                    e.getMessage());
            throw refuse(connection, e.getMessage(), request.requestId());
        }
        Principal current = session.principal;
        if (current != null && !current.name().equals(principal.name())) {
            throw ApiException.badRequest("This connection is already authenticated as another principal.",
                    request.requestId());
        }
        session.principal = principal;
        if (current == null) {
            LOG.info("Connection {} authenticated as {}", connection, principal.name());
        }
        return principal.name();
    }

    public void closed(String connection) {
        sessions.remove(connection);
    }

    private Session session(String connection) {
        return sessions.computeIfAbsent(connection, this::fromHeader);
    }

    /** The session of a new connection: signed in if its upgrade request carried a valid bearer credential. */
    private Session fromHeader(String connection) {
        Session session = new Session();
        String header = connections.header(connection, "Authorization");
        if (header == null) {
            return session;
        }
        String credential = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : "";
        try {
            session.principal = check(connection, credential);
            LOG.info("Connection {} authenticated as {} (Authorization header)", connection, session.principal.name());
        } catch (AuthenticationException e) {
            session.refused = true;
            LOG.warn("Connection {} from {}: Authorization header refused: {}", connection,
                    connections.remoteAddress(connection), e.getMessage());
        }
        return session;
    }

    /**
     * Evaluates a credential unless its address has failed too often lately; counts the outcome for the address. The
     * credential itself is never logged.
     */
    private Principal check(String connection, String credential) throws AuthenticationException {
        String address = connections.remoteHost(connection);
        Duration wait = failures.waitBeforeTrying(address);
        if (!wait.isZero()) {
            throw new AuthenticationException("Too many refused credentials from this address; try again in "
                                              + Math.max(1, (wait.toMillis() + 999) / 1000) + " s.");
        }
        try {
            Principal principal = authenticator.authenticate(credential);
            failures.succeeded(address);
            return principal;
        } catch (AuthenticationException e) {
            failures.failed(address);
            throw e;
        }
    }

    private ApiException refuse(String connection, String message) {
        return refuse(connection, message, null);
    }

    private ApiException refuse(String connection, String message, String requestId) {
        // one close per connection, however many requests it sends during the grace
        if (session(connection).closing.compareAndSet(false, true)) {
            timer.schedule(() -> connections.close(connection, POLICY_VIOLATION, "Unauthorized"), closeGrace.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return new ApiException(ErrorCode.UNAUTHORIZED, message, null, requestId);
    }

    private static final class Session {
        volatile Principal principal;
        volatile boolean refused;
        final AtomicBoolean closing = new AtomicBoolean();
    }
}
