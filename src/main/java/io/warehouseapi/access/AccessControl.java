package io.warehouseapi.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.model.ExposedView;
import io.warehouseapi.question.Scope;
import io.warehouseapi.settings.StartupException;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who sees what ({@code api.access.policies-file}): the scope of each connection's principal under the access
 * policies, or {@link Scope#EVERYTHING} when no file is set. The file is read at start (a file that cannot be used is
 * a start-up error) and again whenever it changes ({@link #reloadIfChanged}, on a timer): a changed file that does not
 * parse, or names a view, column or operator the catalog does not have, keeps the policies in force, and the log says
 * why.
 */
public class AccessControl {

    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);

    private final Path file;
    private final Function<String, JsonNode> claimsOf;
    private final Supplier<List<ExposedView>> catalog;
    private volatile AccessPolicies policies;
    /** The file's text when last read (used or not; null: unreadable), so that a broken file is reported once. */
    private volatile String lastSeen = "";

    /**
     * @param file     the policies file, or null for none
     * @param claimsOf a connection's security context (its principal's claims; empty when it has none)
     * @param catalog  the exposed views now
     */
    public AccessControl(Path file, Function<String, JsonNode> claimsOf, Supplier<List<ExposedView>> catalog) {
        this.file = file;
        this.claimsOf = claimsOf;
        this.catalog = catalog;
    }

    /** Reads the file at start: its shape now, its names once the catalog is known ({@link #checkCatalog}). */
    public void start() {
        if (file == null) {
            return;
        }
        try {
            policies = read();
        } catch (PolicyException e) {
            throw new StartupException("api.access.policies-file: " + e.getMessage());
        }
        LOG.info("Access policies from {}: access is denied unless a role grants it", file);
    }

    /** Checks the policies against the catalog once it has been read at start (register after the catalog's own). */
    public StartupListener catalogAtStart() {
        return new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // the routes are not running yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                checkCatalog();
            }
        };
    }

    /** Checks the policies in force against the catalog read at start; a name it lacks is a start-up error. */
    public void checkCatalog() {
        AccessPolicies current = policies;
        if (current == null) {
            return;
        }
        try {
            current.checkAgainst(catalog.get(), file.toString());
        } catch (PolicyException e) {
            throw new StartupException("api.access.policies-file: " + e.getMessage());
        }
    }

    public boolean isSet() {
        return file != null;
    }

    /** The scope of the principal a connection speaks for. */
    public Scope scopeOf(String connection) {
        AccessPolicies current = policies;
        return current == null ? Scope.EVERYTHING : current.scopeFor(claimsOf.apply(connection));
    }

    /**
     * A digest of what the policies in force grant a principal with these claims ("" without policies): it names the
     * principal's scope in the owner of its ids, so that they stop working for it once its grants change.
     */
    public String scopeKey(JsonNode claims) {
        AccessPolicies current = policies;
        return current == null ? "" : current.scopeKey(claims);
    }

    /** Reads the file again if it changed since it was last read; keeps the policies in force if it cannot be used. */
    public void reloadIfChanged() {
        if (file == null) {
            return;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = null;
        }
        if (text != null && text.equals(lastSeen) || text == null && lastSeen == null) {
            return;
        }
        lastSeen = text;
        try {
            if (text == null) {
                throw new PolicyException(file + " cannot be read.");
            }
            AccessPolicies read = AccessPolicies.parse(text, file.toString());
            read.checkAgainst(catalog.get(), file.toString());
            policies = read;
            LOG.info("Access policies read again from {}", file);
        } catch (PolicyException e) {
            LOG.warn("The access policies in force are kept: {}", e.getMessage());
        }
    }

    private AccessPolicies read() throws PolicyException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException(file + " cannot be read: " + e.getMessage());
        }
        lastSeen = text;
        return AccessPolicies.parse(text, file.toString());
    }
}
