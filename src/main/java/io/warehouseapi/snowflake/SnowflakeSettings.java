package io.warehouseapi.snowflake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.warehouseapi.settings.StartupException;
import io.warehouseapi.warehouse.WarehouseUnreachableException;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The settings of the Snowflake warehouse ({@code warehouse.snowflake.*}): account, user, warehouse, database, schema,
 * role and the key pair's private key, read and decrypted once at start. Any of them may come from the properties
 * file, an environment variable or a Camel vault property function such as {@code {{aws:snowflake/key}}}.
 */
public final class SnowflakeSettings {

    private static final String PREFIX = "warehouse.snowflake.";

    private final String account;
    private final String url;
    private final String user;
    private final String warehouse;
    private final String database;
    private final String schema;
    private final String role;
    private final PrivateKey privateKey;
    private final int poolSize;
    private final long maxLocalRows;
    private final int loginTimeoutSeconds;
    private final int retryTimeoutSeconds;
    private final java.time.Duration noDataGrace;
    private final int maxRunningQueries;
    private final long statementTimeoutSeconds;

    private SnowflakeSettings(PropertiesComponent properties) {
        this.account = required(properties, "account");
        this.user = required(properties, "user");
        this.database = resolved(required(properties, "database"));
        this.schema = resolved(optional(properties, "schema").orElse("PUBLIC"));
        this.warehouse = optional(properties, "warehouse").orElse(null);
        this.role = optional(properties, "role").orElse(null);
        this.url = optional(properties, "url")
                .orElse("jdbc:snowflake://" + account.toLowerCase(Locale.ROOT) + ".snowflakecomputing.com");
        this.poolSize = Integer.parseInt(optional(properties, "pool-size").orElse("4"));
        this.maxLocalRows = Long.parseLong(optional(properties, "local-copy.max-rows").orElse("10000000"));
        this.loginTimeoutSeconds = Integer.parseInt(optional(properties, "login-timeout").orElse("30"));
        this.retryTimeoutSeconds = Integer.parseInt(optional(properties, "retry-timeout").orElse("60"));
        this.noDataGrace = java.time.Duration.parse(optional(properties, "no-data-grace").orElse("PT30S"));
        this.maxRunningQueries = Integer.parseInt(optional(properties, "max-running-queries").orElse("16"));
        // Snowflake stops the API's statements itself a minute after the API's own timeout would have cancelled
        // them: a query left running when the API cannot cancel it (a process that died) is bounded all the same
        java.time.Duration apiTimeout = properties.resolveProperty("warehouse.query.timeout").map(String::strip)
                .filter(value -> !value.isEmpty()).map(java.time.Duration::parse).orElse(java.time.Duration.ofMinutes(30));
        this.statementTimeoutSeconds = apiTimeout.toSeconds() + 60;
        if (maxRunningQueries < 1) {
            throw new StartupException(PREFIX + "max-running-queries must be at least 1, not " + maxRunningQueries);
        }
        this.privateKey = readKey(properties);
    }

    /** How long monitoring may have no record of a query before it is given up. */
    /** How many of the API's queries may be queued or running in Snowflake at once ({@code ...max-running-queries}). */
    public int maxRunningQueries() {
        return maxRunningQueries;
    }

    public java.time.Duration noDataGrace() {
        return noDataGrace;
    }

    public static SnowflakeSettings from(PropertiesComponent properties) {
        return new SnowflakeSettings(properties);
    }

    /**
     * A database or schema name as Snowflake resolves it: unquoted, in upper case ({@code citibike} is
     * {@code CITIBIKE}); in double quotes, exactly as written inside them ({@code "MixedCase"}).
     */
    static String resolved(String configured) {
        String name = configured.strip();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            return name.substring(1, name.length() - 1).replace("\"\"", "\"");
        }
        return name.toUpperCase(java.util.Locale.ROOT);
    }

    /** A resolved name as the driver passes it to the sign-in: quoted where upper case would change it. */
    private static String signInName(String resolved) {
        return resolved.equals(resolved.toUpperCase(java.util.Locale.ROOT)) && resolved.matches("[A-Z_][A-Z0-9_$]*")
                ? resolved : "\"" + resolved.replace("\"", "\"\"") + "\"";
    }

    private static Optional<String> optional(PropertiesComponent properties, String name) {
        return properties.resolveProperty(PREFIX + name).map(String::strip).filter(value -> !value.isEmpty());
    }

    private static String required(PropertiesComponent properties, String name) {
        return optional(properties, name).orElseThrow(() -> new StartupException(
                "warehouse.type is snowflake but " + PREFIX + name + " is not set"));
    }

    private static PrivateKey readKey(PropertiesComponent properties) {
        String pem = optional(properties, "private-key").orElse(null);
        if (pem == null) {
            String file = optional(properties, "private-key-file").orElseThrow(() -> new StartupException(
                    "Set " + PREFIX + "private-key-file (or " + PREFIX + "private-key) to the service user's "
                    + "private key"));
            pem = readFile(Path.of(file), PREFIX + "private-key-file");
        }
        char[] passphrase = optional(properties, "private-key-passphrase").map(String::toCharArray)
                .orElseGet(() -> optional(properties, "private-key-passphrase-file")
                        .map(file -> readFile(Path.of(file), PREFIX + "private-key-passphrase-file").strip()
                                .toCharArray())
                        .orElse(null));
        try {
            return PrivateKeys.read(pem, passphrase);
        } catch (PrivateKeys.KeyException e) {
            throw new StartupException(e.getMessage());
        } finally {
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
    }

    private static String readFile(Path path, String setting) {
        if (!Files.isRegularFile(path)) {
            throw new StartupException("The file named by " + setting + " does not exist: " + path.toAbsolutePath());
        }
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StartupException("The file named by " + setting + " cannot be read: " + path.toAbsolutePath());
        }
    }

    /**
     * A pool of Snowflake sessions, kept alive, signed in with the key pair; it signs in once at start, so that a
     * wrong account, user or key stops the start at once.
     */
    public HikariDataSource dataSource() {
        return dataSource(role, poolSize);
    }

    /**
     * A pool of sessions under a role of the access policies ({@code snowflake_role}), of {@code size} sessions, signed
     * in as the service user: the role must be granted to it.
     */
    public HikariDataSource dataSource(String role, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(role == null || role.equals(this.role) ? "snowflake" : "snowflake-" + role);
        config.setJdbcUrl(url);
        config.setDriverClassName("net.snowflake.client.api.driver.SnowflakeDriver");
        // the account as configured, whatever the URL's host (a proxy or private link name need not start with it)
        config.addDataSourceProperty("account", account);
        config.addDataSourceProperty("user", user);
        config.addDataSourceProperty("authenticator", "SNOWFLAKE_JWT");
        config.addDataSourceProperty("privateKey", privateKey);
        config.addDataSourceProperty("db", signInName(database));
        config.addDataSourceProperty("schema", signInName(schema));
        if (warehouse != null) {
            config.addDataSourceProperty("warehouse", warehouse);
        }
        if (role != null) {
            config.addDataSourceProperty("role", role);
        }
        config.addDataSourceProperty("application", "warehouse-api");
        config.addDataSourceProperty("loginTimeout", Integer.toString(loginTimeoutSeconds));
        config.addDataSourceProperty("CLIENT_SESSION_KEEP_ALIVE", "true");
        // an asynchronous query must outlive the session that submitted it: another session (a replica, after a
        // restart or a hand-off at shutdown) takes it up; with the account's default (TRUE) Snowflake would abort it
        // when its session closes
        config.addDataSourceProperty("ABORT_DETACHED_QUERY", "false");
        // so it is bounded by Snowflake itself: a minute past warehouse.query.timeout
        config.addDataSourceProperty("STATEMENT_TIMEOUT_IN_SECONDS", Long.toString(statementTimeoutSeconds));
        // values the driver gives only as text, in the session's output format: one the copy reads back exactly
        // (a TIMESTAMP_TZ's own offset, a TIME's nanoseconds; the accounts' defaults drop both)
        config.addDataSourceProperty("TIMESTAMP_TZ_OUTPUT_FORMAT", SnowflakeTypes.TIMESTAMP_TZ_FORMAT);
        config.addDataSourceProperty("TIME_OUTPUT_FORMAT", SnowflakeTypes.TIME_FORMAT);
        // how long the driver retries a call that failed on the network before it reports the failure
        config.addDataSourceProperty("retryTimeout", Integer.toString(retryTimeoutSeconds));
        // and how long a call, a result chunk's download included, may take: the driver retries a chunk whose
        // pre-signed URL has expired (HTTP 403) until then, and the copy then reads the result again with new URLs
        config.addDataSourceProperty("networkTimeout", Integer.toString(retryTimeoutSeconds * 1000));
        // the driver would otherwise probe cloud metadata addresses to describe its host at every sign-in
        config.addDataSourceProperty("disablePlatformDetection", "true");
        // JSON results need no --add-opens for Arrow; results are copied once into the local store anyway
        config.addDataSourceProperty("JDBC_QUERY_RESULT_FORMAT", "JSON");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout((loginTimeoutSeconds + 5) * 1000L);
        config.setKeepaliveTime(300_000);
        config.setInitializationFailTimeout(1);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            int newline = reason.indexOf('\n');
            String message = "Cannot sign in to Snowflake account " + account + " as " + user + " at " + url + ": "
                             + (newline < 0 ? reason : reason.substring(0, newline)) + " (check " + PREFIX + "account, "
                             + PREFIX + "url, " + PREFIX + "user and the key registered for the user)";
            if (isNetworkFailure(cause)) {
                throw new WarehouseUnreachableException(message);
            }
            throw new StartupException(message);
        }
        try {
            checkNames(pool, role);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    /**
     * Stops the start when the session has no current database or schema: Snowflake signs in all the same when the
     * names it was given do not exist or the role may not use them, and every view would then be missing. The
     * session's names come with the sign-in: nothing is sent.
     */
    private void checkNames(HikariDataSource pool, String role) {
        String current;
        String currentSchema;
        try (java.sql.Connection connection = pool.getConnection()) {
            current = connection.getCatalog();
            currentSchema = connection.getSchema();
        } catch (java.sql.SQLException e) {
            throw new StartupException("Cannot read the Snowflake session's database and schema: " + e.getMessage());
        }
        String as = role == null ? "the user's default role" : "role " + role;
        if (current == null || !current.equals(database)) {
            throw new StartupException("Snowflake has no database " + database + " that " + as + " may use (" + PREFIX
                                       + "database; an unquoted name is looked up in upper case, as Snowflake does: "
                                       + "write it in double quotes to keep its case)");
        }
        if (currentSchema == null || !currentSchema.equals(schema)) {
            throw new StartupException("Snowflake has no schema " + schema + " in database " + database + " that "
                                       + as + " may use (" + PREFIX + "schema; an unquoted name is looked up in upper "
                                       + "case, as Snowflake does: write it in double quotes to keep its case)");
        }
    }

    /**
     * Whether a sign-in failed on the way to Snowflake (refused, timed out, no route, no such host) rather than being
     * refused by Snowflake itself: the first may pass, the second needs the settings fixed.
     */
    static boolean isNetworkFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
                || t instanceof java.net.UnknownHostException || t instanceof java.net.NoRouteToHostException
                || t.getClass().getSimpleName().equals("NoHttpResponseException")) {
                return true;
            }
        }
        String message = String.valueOf(failure.getMessage());
        return message.contains("communication error") || message.contains("Connection refused");
    }

    public String account() {
        return account;
    }

    public String user() {
        return user;
    }

    public String database() {
        return database;
    }

    public String schema() {
        return schema;
    }

    public long maxLocalRows() {
        return maxLocalRows;
    }
}
