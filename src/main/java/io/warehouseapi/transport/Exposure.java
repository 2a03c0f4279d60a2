package io.warehouseapi.transport;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.warehouseapi.settings.StartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the address the server listens on ({@code camel.server.host}) means for who may reach it: on loopback only
 * this machine, anywhere else whoever can reach the address. The defaults follow from it, so that nothing is exposed
 * that the operator did not open on purpose.
 */
public final class Exposure {

    private static final Logger LOG = LoggerFactory.getLogger(Exposure.class);

    private final String host;
    private final boolean loopback;

    public Exposure(String host) {
        this.host = host;
        this.loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1")
                        || host.equals("[::1]");
    }

    public boolean isLoopback() {
        return loopback;
    }

    /**
     * Without authentication, a server beyond loopback would serve every exposed view to whoever reaches it: it does
     * not start, unless the operator opted in ({@code api.auth.anonymous-beyond-loopback}), which is logged.
     */
    public void requireOptInWithoutAuthentication(boolean optedIn) {
        if (loopback) {
            return;
        }
        if (!optedIn) {
            throw new StartupException("The API would listen on " + host + " with api.auth.mode=none, serving every "
                    + "exposed view to anyone who can reach that address. Set a credential (API_AUTH_MODE=token and "
                    + "API_AUTH_TOKENS=<name>:<key>, a key made with `openssl rand -base64 32`; see docs/security.md), "
                    + "or listen on 127.0.0.1 (CAMEL_SERVER_HOST), or, to serve anonymously on purpose, set "
                    + "API_AUTH_ANONYMOUS_BEYOND_LOOPBACK=true.");
        }
        LOG.warn("The API listens on {} with api.auth.mode=none and api.auth.anonymous-beyond-loopback=true: anyone "
                 + "who can reach this address can run the exposed views.", host);
    }

    /**
     * Whether {@code Origin: null} (a page opened from disk, or any site's sandboxed frame) is accepted: only where
     * it is listed, for the generated sample served on loopback. Listed anywhere else, it is ignored, and said so.
     */
    public boolean acceptsNullOrigin(boolean generatedSample, String allowedOrigins) {
        boolean listed = Arrays.stream(allowedOrigins.split(",")).map(String::strip)
                .anyMatch(origin -> origin.equals("null") || origin.equals("*"));
        boolean accepted = listed && generatedSample && loopback;
        if (listed && !accepted) {
            LOG.info("Origin null (a page opened from disk) is not accepted: it is for the generated sample on "
                     + "loopback only, since any web site can give its pages that origin. Serve the page from the API "
                     + "(http://{}/) or from an origin listed in api.allowed-origins.", host);
        }
        return accepted;
    }

    /**
     * The host names a connection's Host header may give ({@code api.allowed-hosts}, comma-separated, {@code *} for
     * any); null for any. Unset: the loopback names on loopback, any elsewhere (where authentication is required).
     */
    public Set<String> hosts(String allowedHosts) {
        Set<String> listed = Arrays.stream(allowedHosts.split(",")).map(String::strip)
                .filter(name -> !name.isEmpty()).map(name -> name.toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        if (listed.contains("*")) {
            return null;
        }
        if (listed.isEmpty()) {
            return loopback ? OriginPolicy.LOOPBACK_HOSTS : null;
        }
        return listed;
    }
}
