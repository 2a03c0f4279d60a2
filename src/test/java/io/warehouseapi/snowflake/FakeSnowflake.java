package io.warehouseapi.snowflake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.node.ArrayNode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Snowflake endpoint on 127.0.0.1 for the real snowflake-jdbc driver, speaking its HTTP protocol with the JSON
 * result format, backed by a DuckDB sample database whose views it serves as Snowflake views. It checks what the real
 * service would check: a key-pair JWT that verifies against the user's public key, with the right issuer and subject;
 * queries on views asked for asynchronously; bound parameters for cancel and RESULT_SCAN. It counts what the tests
 * ask about: sign-ins, result downloads per query, RESULT_SCAN statements, cancels.
 */
public final class FakeSnowflake implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A question's SELECT on a view: its select list, the qualified view, and its WHERE and ORDER BY. */
    private static final Pattern VIEW_SELECT = Pattern.compile(
            "SELECT (.+?) FROM \"([^\"]+)\"\\.\"([^\"]+)\"\\.\"([^\"]+)\"(.*)", Pattern.DOTALL);
    private static final Pattern DRIVER_RESULT_SCAN = Pattern.compile(
            "select \\* from table\\(result_scan\\('([0-9a-fA-F-]+)'\\)\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern MONITORING = Pattern.compile("/monitoring/queries/([^/]+)");
    private static final Pattern RESULT = Pattern.compile("/queries/([^/]+)/result");

    /** The one database the double holds, and its one schema, as Snowflake names them. */
    static final String DATABASE = "CITIBIKE";
    static final String SCHEMA = "PUBLIC";

    /** The column the API's SELECTs number their rows in, and its statements that read them in that order. */
    private static final String ROW = "__WAREHOUSE_API_ROW";
    private static final String COPY = "SELECT * EXCLUDE (\"" + ROW + "\") FROM TABLE(RESULT_SCAN(?)) ORDER BY \"" + ROW
                                       + "\"";
    private static final String PAGE = COPY + " LIMIT ? OFFSET ?";

    public final String account;
    public final String user;
    private final PublicKey publicKey;
    private volatile HttpServer server;
    private final int port;
    private final ExecutorService threads = Executors.newFixedThreadPool(16);
    private final Path sample;
    private Connection duck;
    private final Map<String, FakeQuery> queries = new ConcurrentHashMap<>();
    public final List<String> requests = new CopyOnWriteArrayList<>();
    public final List<String> statements = new CopyOnWriteArrayList<>();
    /** Statements the driver only described (prepared statements' parameter metadata). */
    public final List<String> describes = new CopyOnWriteArrayList<>();
    public final List<String> asyncStatements = new CopyOnWriteArrayList<>();
    /** The bindings of each asynchronous statement, as the driver sent them. */
    public final List<JsonNode> asyncBindings = new CopyOnWriteArrayList<>();
    /** The Snowflake query ids of the asynchronous statements, in the order they came. */
    public final List<String> asyncQueryIds = new CopyOnWriteArrayList<>();
    public final List<String> cancelled = new CopyOnWriteArrayList<>();
    public final List<JsonNode> resultScanBindings = new CopyOnWriteArrayList<>();
    public final Map<String, AtomicInteger> resultDownloads = new ConcurrentHashMap<>();
    public final AtomicInteger logins = new AtomicInteger();
    /** The role each asynchronous view query ran under, by query id ("" for the user's default role). */
    public final Map<String, String> queryRoles = new ConcurrentHashMap<>();
    /** The session parameters each sign-in asked for (the login request's SESSION_PARAMETERS). */
    public final List<JsonNode> loginSessionParameters = new CopyOnWriteArrayList<>();
    /** The role each session signed in with, by session token. */
    private final Map<String, String> sessionRoles = new ConcurrentHashMap<>();
    /** While set, every query stays RUNNING: a query that outlives the server process that started it. */
    public volatile boolean holdRunning;
    /** STATEMENT_TIMEOUT_IN_SECONDS: a query running longer fails with 000630, as Snowflake stops it; null: none. */
    public volatile java.time.Duration statementTimeout;
    public final List<String> loginFailures = new CopyOnWriteArrayList<>();
    public final List<String> statusSequence = new CopyOnWriteArrayList<>();

    public FakeSnowflake(String account, String user, PublicKey publicKey, Path sample) throws IOException, SQLException {
        this.account = account;
        this.user = user;
        this.publicKey = publicKey;
        this.sample = sample.toAbsolutePath();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        this.port = server.getAddress().getPort();
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
        this.storage = new FakeResultStorage();
    }

    /** The cloud storage the rows beyond a result's first chunk are fetched from. */
    private final FakeResultStorage storage;
    /**
     * Rows a result's answer carries itself (its first chunk); the others come in chunks of {@link #chunkRows} from
     * the storage, as Snowflake sends any result beyond its first chunk.
     */
    public volatile int inlineRows = 300;
    public volatile int chunkRows = 700;

    /** Chunk files fetched, fetches of an expired URL (403), and fetches without the result's key. */
    public int chunksFetched() {
        return storage.fetched.get();
    }

    public int expiredChunkFetches() {
        return storage.expiredFetches.get();
    }

    public int chunkFetchesWithoutKey() {
        return storage.keyRefused.get();
    }

    /** How long each chunk file takes to come. */
    public void chunkFetchDelay(java.time.Duration delay) {
        storage.fetchDelay = delay;
    }

    /** How long a chunk's pre-signed URL works (six hours unless a test shortens it). */
    public void chunkUrlLifetime(java.time.Duration lifetime) {
        storage.urlLifetime = lifetime;
    }

    /** A connection of its own to the sample's DuckDB instance (the first, kept open, keeps the instance alive). */
    private Connection duck() throws SQLException {
        synchronized (this) {
            if (duck == null) {
                duck = DriverManager.getConnection("jdbc:duckdb:" + sample);
                try (Statement statement = duck.createStatement()) {
                    statement.execute("CREATE SCHEMA IF NOT EXISTS fake_results");
                }
            }
        }
        return ((org.duckdb.DuckDBConnection) duck).duplicate();
    }

    public int port() {
        return port;
    }

    /** Stops answering, as an unreachable account would. */
    public void stop() {
        server.stop(0);
    }

    /** Answers again on the same port after {@link #stop()}, with the queries and sessions it knew. */
    public void restart() throws IOException {
        HttpServer restarted = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        restarted.createContext("/", this::handle);
        restarted.setExecutor(threads);
        restarted.start();
        server = restarted;
    }

    /** Result downloads of every query. */
    public int downloads() {
        return resultDownloads.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public int downloadsOf(String queryId) {
        AtomicInteger count = resultDownloads.get(queryId);
        return count == null ? 0 : count.get();
    }

    /**
     * The account's input formats are not AUTO (TIMESTAMP_INPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS', DATE_INPUT_FORMAT
     * = 'YYYY-MM-DD'): a text cast to a timestamp without an explicit format must be written so.
     */
    public volatile boolean strictInputFormats;

    /**
     * Text columns (by name, upper case) whose values, ISO-8601 with an offset, stand for Snowflake TIMESTAMP_TZ
     * values: DuckDB keeps an instant only, Snowflake's TIMESTAMP_TZ its own offset as well.
     */
    public final Set<String> timestampTzColumns = ConcurrentHashMap.newKeySet();

    /**
     * How long after a submit monitoring has no record of a query yet (it answers as for an unknown id: the driver's
     * NO_DATA), as Snowflake's monitoring lags its queries.
     */
    public volatile java.time.Duration monitoringLag = java.time.Duration.ofMillis(100);
    /** The warehouse is suspended: the next query first reports RESUMING_WAREHOUSE while it resumes. */
    public volatile boolean warehouseSuspended = true;
    /** While set, a query not yet running reports BLOCKED (waiting for a lock another transaction holds). */
    public volatile boolean blockQueries;
    /**
     * Snowflake's result cache (USE_CACHED_RESULT): a query identical to one that succeeded succeeds at once, from
     * its result, without running. Off unless a test turns it on.
     */
    public volatile boolean resultCache;
    private final Map<String, String> cachedResults = new ConcurrentHashMap<>();

    /** Results Snowflake no longer keeps (past its 24 hours): reading them is error 000710. */
    public final Set<String> expiredResults = ConcurrentHashMap.newKeySet();
    /** Every result expires as soon as its query succeeds. */
    public volatile boolean resultsExpireAtOnce;

    /** How many of the next requests (sign-ins aside) are answered {@link #throttleStatus} without being served. */
    public final AtomicInteger throttled = new AtomicInteger();
    /** 503 (unavailable) or 429 (too many requests). */
    public volatile int throttleStatus = 503;
    /** How many requests were answered so. */
    public final AtomicInteger throttledRequests = new AtomicInteger();

    /** Session tokens whose master token has expired: any request with one is answered 390114. */
    private final Set<String> expiredSessions = ConcurrentHashMap.newKeySet();
    /** How many requests were answered 390114. */
    public final AtomicInteger masterTokenExpiries = new AtomicInteger();

    /** Session tokens past their validity (390112): renewed with their master token at /session/token-request. */
    private final Set<String> staleSessions = ConcurrentHashMap.newKeySet();
    /** The STATEMENT_TIMEOUT_IN_SECONDS each session set at its sign-in. */
    private final Map<String, java.time.Duration> sessionTimeouts = new ConcurrentHashMap<>();
    /** Each master token's current session token. */
    private final Map<String, String> masterTokens = new ConcurrentHashMap<>();
    /** How many session tokens were renewed. */
    public final AtomicInteger renewals = new AtomicInteger();

    /** Ends the validity of every session token so far (not of the master tokens): each is renewed at its next use. */
    public void expireSessionTokens() {
        staleSessions.addAll(sessionRoles.keySet());
    }

    /** A session token renewed with the master token (the Authorization header), as the driver asks on 390112. */
    private void renew(HttpExchange exchange, JsonNode request) throws IOException {
        String master = sessionToken(exchange);
        String old = masterTokens.get(master);
        if (old == null || !old.equals(request.path("oldSessionToken").asText())
            || !"RENEW".equals(request.path("requestType").asText())) {
            reply(exchange, error("390111", "Session no longer exists.  New login required to access the service."));
            return;
        }
        if (expiredSessions.contains(old)) {
            masterTokenExpiries.incrementAndGet();
            reply(exchange, error("390114", "Authentication token has expired.  The user must authenticate again."));
            return;
        }
        String renewed = old + "-renewed-" + renewals.incrementAndGet();
        sessionRoles.put(renewed, sessionRoles.getOrDefault(old, ""));
        java.time.Duration timeout = sessionTimeouts.get(old);
        if (timeout != null) {
            sessionTimeouts.put(renewed, timeout);
        }
        sessionRoles.remove(old);
        masterTokens.put(master, renewed);
        ObjectNode data = JSON.createObjectNode();
        data.put("sessionToken", renewed);
        data.put("validityInSecondsST", 3600);
        data.put("masterToken", master);
        data.put("validityInSecondsMT", 14400);
        reply(exchange, ok(data));
    }

    /** Expires the master token of every session signed in so far: each must sign in again. */
    public void expireSessions() {
        expiredSessions.addAll(sessionRoles.keySet());
    }

    /** Forgets a query, as Snowflake does once its history has gone: monitoring has no record of it (NO_DATA). */
    public void forget(String queryId) {
        queries.remove(queryId);
    }

    public String jdbcUrl() {
        return "jdbc:snowflake://127.0.0.1:" + port() + "/?ssl=off&account=" + account;
    }

    /** A URL whose host is not the account's, and which does not name it (as through a proxy). */
    public String jdbcUrlWithoutAccount() {
        return "jdbc:snowflake://127.0.0.1:" + port() + "/?ssl=off";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            byte[] raw = readBody(exchange);
            String body = new String(raw, StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
            Matcher monitoring = MONITORING.matcher(path);
            Matcher result = RESULT.matcher(path);
            if (path.equals("/session/v1/login-request")) {
                login(exchange, JSON.readTree(body));
            } else if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                // overloaded: the driver backs off and sends the request again
                throttledRequests.incrementAndGet();
                exchange.sendResponseHeaders(throttleStatus, -1);
            } else if (path.equals("/session/token-request")) {
                renew(exchange, JSON.readTree(body));
            } else if (!sessionRoles.containsKey(sessionToken(exchange))) {
                reply(exchange, error("390111", "Session no longer exists.  New login required to access the "
                                                + "service."));
            } else if (expiredSessions.contains(sessionToken(exchange))) {
                masterTokenExpiries.incrementAndGet();
                ObjectNode expired = error("390114", "Authentication token has expired.  The user must authenticate "
                                                    + "again.");
                expired.putObject("data").put("nextAction", "RETRY_LOGIN").put("authnMethod", "TOKEN");
                reply(exchange, expired);
            } else if (staleSessions.contains(sessionToken(exchange))) {
                // the session token's validity has passed: the driver renews it with the master token
                reply(exchange, error("390112", "Your session has expired. Please login again."));
            } else if (path.equals("/queries/v1/query-request")) {
                query(exchange, JSON.readTree(body));
            } else if (monitoring.matches()) {
                reply(exchange, status(monitoring.group(1)));
            } else if (result.matches()) {
                reply(exchange, result(result.group(1)));
            } else {
                reply(exchange, ok(JSON.createObjectNode()));
            }
        } catch (Exception e) {
            e.printStackTrace();
            exchange.sendResponseHeaders(500, -1);
        } finally {
            exchange.close();
        }
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null && encoding.toLowerCase().contains("gzip")) {
            in = new GZIPInputStream(in);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static String queryParameter(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The session token of a request: {@code Authorization: Snowflake Token="..."}. */
    private static String sessionToken(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher token = header == null ? null : Pattern.compile("Token=\"([^\"]*)\"").matcher(header);
        return token != null && token.find() ? token.group(1) : "";
    }

    private void login(HttpExchange exchange, JsonNode request) throws Exception {
        JsonNode data = request.path("data");
        String failure = checkJwt(data.path("AUTHENTICATOR").asText(), data.path("TOKEN").asText(),
                data.path("ACCOUNT_NAME").asText(), data.path("LOGIN_NAME").asText());
        if (failure != null) {
            loginFailures.add(failure);
            ObjectNode error = JSON.createObjectNode();
            error.put("success", false);
            // the code the service gives a key-pair sign-in it refuses (JWT_TOKEN_INVALID)
            error.put("code", "390144");
            error.put("message", "JWT token is invalid.");
            error.putNull("data");
            reply(exchange, error);
            return;
        }
        logins.incrementAndGet();
        loginSessionParameters.add(data.path("SESSION_PARAMETERS"));
        String role = queryParameter(exchange, "roleName");
        sessionRoles.put("session-token-" + logins.get(), role == null ? "" : role);
        masterTokens.put("master-token-" + logins.get(), "session-token-" + logins.get());
        JsonNode timeout = data.path("SESSION_PARAMETERS").path("STATEMENT_TIMEOUT_IN_SECONDS");
        if (!timeout.isMissingNode() && timeout.asLong() > 0) {
            sessionTimeouts.put("session-token-" + logins.get(), java.time.Duration.ofSeconds(timeout.asLong()));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("token", "session-token-" + logins.get());
        out.put("masterToken", "master-token-" + logins.get());
        out.put("validityInSeconds", 3600);
        out.put("masterValidityInSeconds", 14400);
        out.put("sessionId", 1000 + logins.get());
        out.put("serverVersion", "9.99.0");
        out.putNull("newClientForUpgrade");
        out.put("healthCheckInterval", 45);
        ObjectNode session = out.putObject("sessionInfo");
        // the names the sign-in asked for, resolved as Snowflake resolves identifiers; none where nothing has them
        String database = identifier(queryParameter(exchange, "databaseName"));
        String schema = identifier(queryParameter(exchange, "schemaName"));
        boolean found = DATABASE.equals(database);
        session.put("databaseName", found ? database : null);
        session.put("schemaName", found && SCHEMA.equals(schema) ? schema : null);
        session.put("warehouseName", "API_WH");
        session.put("roleName", role == null ? "API_READER" : role);
        var parameters = out.putArray("parameters");
        parameters.addObject().put("name", "AUTOCOMMIT").put("value", true);
        parameters.addObject().put("name", "QUERY_RESULT_FORMAT").put("value", "JSON");
        parameters.addObject().put("name", "CLIENT_RESULT_CHUNK_SIZE").put("value", 16);
        // the session's own parameters, as set at sign-in, echoed as the service does (the driver formats by them)
        data.path("SESSION_PARAMETERS").fields().forEachRemaining(parameter -> parameters.addObject()
                .put("name", parameter.getKey()).set("value", parameter.getValue()));
        reply(exchange, ok(out));
    }

    /** An identifier as Snowflake resolves it: unquoted in upper case, quoted exactly; null stays null. */
    private static String identifier(String name) {
        if (name == null) {
            return null;
        }
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            return name.substring(1, name.length() - 1).replace("\"\"", "\"");
        }
        return name.toUpperCase(Locale.ROOT);
    }

    /** What the real service checks of a key-pair login: the JWT's signature, issuer and subject. */
    private String checkJwt(String authenticator, String token, String accountName, String loginName) throws Exception {
        if (!"SNOWFLAKE_JWT".equalsIgnoreCase(authenticator)) {
            return "authenticator was " + authenticator;
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return "not a JWT";
        }
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        if (!"RS256".equals(header.path("alg").asText())) {
            return "alg " + header.path("alg").asText();
        }
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKey);
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        if (!verifier.verify(Base64.getUrlDecoder().decode(parts[2]))) {
            return "signature does not verify";
        }
        String fingerprint = "SHA256:" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
        String subject = account.toUpperCase() + "." + user.toUpperCase();
        if (!subject.equals(claims.path("sub").asText())) {
            return "sub " + claims.path("sub").asText();
        }
        if (!(subject + "." + fingerprint).equals(claims.path("iss").asText())) {
            return "iss " + claims.path("iss").asText();
        }
        if (!account.equalsIgnoreCase(accountName) || !user.equalsIgnoreCase(loginName)) {
            return "account/user " + accountName + "/" + loginName;
        }
        return null;
    }

    // ---- statements ----------------------------------------------------------------------------------------

    private void query(HttpExchange exchange, JsonNode request) throws Exception {
        // statements the API reads from its SQL files span lines: compared on one
        String sql = request.path("sqlText").asText().strip().replaceAll("\\s+", " ");
        boolean async = request.path("asyncExec").asBoolean(false);
        JsonNode bindings = request.path("bindings");
        if (request.path("describeOnly").asBoolean(false)) {
            // the driver describes a prepared statement (for getParameterMetaData, as camel-jdbc asks): how many
            // binds it takes, and no rows
            describes.add(sql);
            ObjectNode data = resultData(UUID.randomUUID().toString(), "SELECT 1 AS DESCRIBED", 0, 0);
            data.put("numberOfBinds", sql.chars().filter(c -> c == '?').count());
            reply(exchange, ok(data));
            return;
        }
        statements.add(sql);
        Matcher view = VIEW_SELECT.matcher(sql);
        if (view.matches()) {
            if (!DATABASE.equals(view.group(2)) || !SCHEMA.equals(view.group(3))) {
                reply(exchange, error("002003", "SQL compilation error:\nObject '" + view.group(2) + "." + view.group(3)
                                                + "." + view.group(4) + "' does not exist or not authorized."));
                return;
            }
            if (!async) {
                reply(exchange, error("000001", "The fake expects views to be queried asynchronously"));
                return;
            }
            if (strictInputFormats && (sql.contains("AS TIMESTAMP_NTZ)") || sql.contains("AS TIMESTAMP_TZ)"))) {
                for (JsonNode binding : bindings) {
                    String value = binding.path("value").asText();
                    if (value.contains("T")) {
                        reply(exchange, error("100035", "Timestamp '" + value + "' is not recognized"));
                        return;
                    }
                }
            }
            asyncStatements.add(sql);
            asyncBindings.add(bindings);
            FakeQuery query = new FakeQuery(UUID.randomUUID().toString(), view.group(4).toLowerCase(Locale.ROOT),
                    view.group(1), view.group(5), bindings);
            query.sessionTimeout = sessionTimeouts.get(sessionToken(exchange));
            queries.put(query.id, query);
            asyncQueryIds.add(query.id);
            queryRoles.put(query.id, sessionRoles.getOrDefault(sessionToken(exchange), ""));
            ObjectNode out = JSON.createObjectNode();
            out.put("success", true);
            out.put("code", "333334");
            out.put("message", "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.");
            ObjectNode data = out.putObject("data");
            data.put("queryId", query.id);
            data.put("getResultUrl", "/queries/" + query.id + "/result");
            reply(exchange, out);
        } else if (DRIVER_RESULT_SCAN.matcher(sql).matches()) {
            // createResultSet(queryId): an unordered RESULT_SCAN, whose order Snowflake does not promise
            Matcher scan = DRIVER_RESULT_SCAN.matcher(sql);
            scan.matches();
            reply(exchange, result(scan.group(1), " ORDER BY random()"));
        } else if (sql.equals(COPY)) {
            resultScanBindings.add(bindings);
            reply(exchange, result(binding(bindings, 1), " ORDER BY \"" + ROW + "\""));
        } else if (sql.contains("INFORMATION_SCHEMA.")) {
            reply(exchange, ok(informationSchema(sql, bindings)));
        } else if (sql.equals("SELECT SYSTEM$CANCEL_QUERY(?)")) {
            String id = binding(bindings, 1);
            FakeQuery query = queries.get(id);
            if (query != null) {
                query.cancelled = true;
                cancelled.add(id);
            }
            reply(exchange, ok(resultData(UUID.randomUUID().toString(),
                    "SELECT 'query [" + id.replace("'", "") + "] terminated.' AS status", -1, -1)));
        } else if (sql.contains("RESULT_SCAN(?)") && expired(binding(bindings, 1))) {
            resultScanBindings.add(bindings);
            reply(exchange, error("000710", "Result for query " + binding(bindings, 1) + " has expired"));
        } else if (sql.equals(PAGE)) {
            resultScanBindings.add(bindings);
            FakeQuery query = queries.get(binding(bindings, 1));
            reply(exchange, ok(resultData(UUID.randomUUID().toString(), "SELECT * EXCLUDE (\"" + ROW + "\") FROM "
                    + query.table + " ORDER BY \"" + ROW + "\"", Long.parseLong(binding(bindings, 2)),
                    Long.parseLong(binding(bindings, 3)))));
        } else if (sql.equals("SELECT COUNT(*) FROM TABLE(RESULT_SCAN(?))")) {
            resultScanBindings.add(bindings);
            FakeQuery query = queries.get(binding(bindings, 1));
            reply(exchange, ok(resultData(UUID.randomUUID().toString(), "SELECT count(*)::BIGINT AS \"COUNT(*)\" FROM "
                                                                         + query.table, -1, -1)));
        } else {
            reply(exchange, error("001003", "SQL compilation error: the fake does not support this statement"));
        }
    }

    /** Snowflake's spelling of what a question needs, in DuckDB's. */
    private static String duckdb(String sql) {
        return sql.replace("TO_DATE(?, 'YYYY-MM-DD')", "CAST(strptime(?, '%Y-%m-%d') AS DATE)")
                .replace("TO_TIMESTAMP_NTZ(?, 'YYYY-MM-DD\"T\"HH24:MI:SS.FF9')", "strptime(?, '%Y-%m-%dT%H:%M:%S.%n')")
                .replace("TO_TIMESTAMP_TZ(?, 'YYYY-MM-DD\"T\"HH24:MI:SS.FF9TZH:TZM')",
                        "strptime(?, '%Y-%m-%dT%H:%M:%S.%n%z')")
                .replace("TO_TIME(?, 'HH24:MI:SS.FF9')", "CAST(strptime(?, '%H:%M:%S.%n') AS TIME)")
                .replace("SEQ8()", "row_number() OVER ()")
                .replace("STARTSWITH(", "starts_with(").replace("CONTAINS(", "contains(")
                .replace("AS TIMESTAMP_NTZ)", "AS TIMESTAMP)").replace("AS TIMESTAMP_TZ)", "AS TIMESTAMPTZ)");
    }

    /** Binds the driver's typed bindings ({"1": {"type": "FIXED", "value": "3600"}, ...}) to a DuckDB statement. */
    private static void bind(PreparedStatement statement, JsonNode bindings) throws SQLException {
        for (int i = 1; bindings.has(Integer.toString(i)); i++) {
            JsonNode binding = bindings.get(Integer.toString(i));
            String value = binding.path("value").asText();
            switch (binding.path("type").asText()) {
                case "FIXED" -> statement.setBigDecimal(i, new java.math.BigDecimal(value));
                case "REAL" -> statement.setDouble(i, Double.parseDouble(value));
                case "BOOLEAN" -> statement.setBoolean(i, Boolean.parseBoolean(value));
                case "TEXT" -> statement.setString(i, value);
                default -> throw new SQLException("the fake does not bind " + binding.path("type").asText());
            }
        }
    }

    private static String binding(JsonNode bindings, int index) {
        JsonNode value = bindings.path(Integer.toString(index)).path("value");
        if (value.isMissingNode()) {
            throw new IllegalArgumentException("parameter " + index + " is not bound");
        }
        return value.asText();
    }

    /**
     * Runs a statement on the INFORMATION_SCHEMA of the database (the API's own {@code sql/snowflake/catalog.sql}, as
     * the driver sent it) against an emulation of its VIEWS and COLUMNS views over the sample's catalog, with
     * Snowflake's names: upper-case view names in schema PUBLIC, Snowflake's type names, precision and scale.
     */
    private ObjectNode informationSchema(String sql, JsonNode bindings) throws SQLException {
        String translated = sql.replace("INFORMATION_SCHEMA.VIEWS", "fake_info.\"VIEWS\"")
                .replace("INFORMATION_SCHEMA.COLUMNS", "fake_info.\"COLUMNS\"")
                .replaceAll("TO_VARCHAR\\(([^()]*)\\)", "CAST($1 AS VARCHAR)");
        ObjectNode data;
        synchronized (this) {
            try (Connection connection = duck(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE SCHEMA IF NOT EXISTS fake_info");
                statement.execute("CREATE OR REPLACE VIEW fake_info.\"VIEWS\" AS SELECT '" + DATABASE
                        + "' AS TABLE_CATALOG, '" + SCHEMA + "' AS TABLE_SCHEMA, upper(view_name) AS TABLE_NAME, "
                        + "TIMESTAMP '2024-01-01 00:00:00' AS CREATED, "
                        // DuckDB keeps no dates: a view's text stands for its LAST_ALTERED
                        + "md5(sql) AS LAST_ALTERED FROM duckdb_views() "
                        + "WHERE schema_name = 'main' AND NOT internal AND database_name = current_database()");
                statement.execute("CREATE OR REPLACE VIEW fake_info.\"COLUMNS\" AS SELECT '" + DATABASE
                        + "' AS TABLE_CATALOG, '" + SCHEMA + "' AS TABLE_SCHEMA, upper(table_name) AS TABLE_NAME, "
                        + "column_name AS COLUMN_NAME, column_index AS ORDINAL_POSITION, CASE "
                        + tzCase()
                        + "WHEN data_type IN ('INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'HUGEINT') "
                        + "OR data_type LIKE 'DECIMAL(%' THEN 'NUMBER' "
                        + "WHEN data_type = 'DOUBLE' THEN 'FLOAT' WHEN data_type = 'VARCHAR' THEN 'TEXT' "
                        + "WHEN data_type = 'TIMESTAMP' THEN 'TIMESTAMP_NTZ' WHEN data_type = 'JSON' THEN 'VARIANT' "
                        + "WHEN data_type = 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP_LTZ' "
                        + "WHEN data_type = 'BLOB' THEN 'BINARY' WHEN data_type LIKE '%[]' THEN 'ARRAY' "
                        + "WHEN data_type LIKE 'STRUCT%' THEN 'OBJECT' "
                        + "ELSE data_type END AS DATA_TYPE, "
                        + "CASE WHEN data_type LIKE 'DECIMAL(%' THEN numeric_precision "
                        + "WHEN data_type IN ('INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'HUGEINT') THEN 38 "
                        + "END AS NUMERIC_PRECISION, "
                        + "CASE WHEN data_type LIKE 'DECIMAL(%' THEN numeric_scale "
                        + "WHEN data_type IN ('INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'HUGEINT') THEN 0 "
                        + "END AS NUMERIC_SCALE FROM duckdb_columns() "
                        + "WHERE schema_name = 'main' AND NOT internal AND database_name = current_database()");
            }
            data = resultData(UUID.randomUUID().toString(), translated, -1, -1, bindings);
        }
        return data;
    }

    /** The catalog's type of the TIMESTAMP_TZ columns, ahead of the other cases. */
    private String tzCase() {
        StringBuilder cases = new StringBuilder();
        for (String column : timestampTzColumns) {
            cases.append("WHEN upper(column_name) = '").append(column.replace("'", "''"))
                    .append("' THEN 'TIMESTAMP_TZ' ");
        }
        return cases.toString();
    }

    // ---- the life of a query ------------------------------------------------------------------------------

    private ObjectNode status(String id) {
        FakeQuery query = queries.get(id);
        ObjectNode data = JSON.createObjectNode();
        ArrayNode list = data.putArray("queries");
        if (query != null && System.nanoTime() - query.submittedAt < monitoringLag.toNanos()) {
            // not in monitoring yet: answered as an id it has no record of
            statusSequence.add(id + ":NO_DATA");
        } else if (query != null) {
            String status = query.advance();
            statusSequence.add(id + ":" + status);
            ObjectNode node = list.addObject();
            node.put("id", id);
            node.put("status", status);
            node.put("state", status);
            node.put("sqlText", "SELECT * FROM " + query.view);
            node.put("startTime", System.currentTimeMillis());
            if (query.error != null) {
                node.put("errorCode", query.errorCode);
                node.put("errorMessage", query.error);
            }
        }
        return ok(data);
    }

    private boolean expired(String id) {
        return expiredResults.contains(id) || resultsExpireAtOnce;
    }

    private ObjectNode result(String id) throws SQLException {
        return result(id, "");
    }

    private ObjectNode result(String id, String order) throws SQLException {
        resultDownloads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        FakeQuery query = queries.get(id);
        if (query == null || !"SUCCESS".equals(query.advance())) {
            return error("000709", "Statement " + id + " not found or not finished");
        }
        if (expired(id)) {
            return error("000710", "Result for query " + id + " has expired");
        }
        return ok(resultData(id, "SELECT * EXCLUDE (\"" + ROW + "\") FROM " + query.table + order, -1, -1));
    }

    /** A query as the fake warehouse runs it: materialized on its second status poll, or never, for slow_vw. */
    private final class FakeQuery {
        final String id;
        final String view;
        final String table;
        volatile boolean cancelled;
        int polls;
        final long submittedAt = System.nanoTime();
        String state = "QUEUED";
        String error;
        int errorCode;

        /** The question's select list and its WHERE and ORDER BY, in DuckDB's words, and their bound values. */
        final String selectList;
        final String rest;
        final JsonNode bindings;
        /** The submitting session's STATEMENT_TIMEOUT_IN_SECONDS, if it set one. */
        java.time.Duration sessionTimeout;

        FakeQuery(String id, String view, String selectList, String rest, JsonNode bindings) {
            this.selectList = duckdb(selectList);
            this.rest = duckdb(rest);
            this.bindings = bindings;
            this.id = id;
            this.view = view;
            this.table = "fake_results.q_" + id.replace('-', '_');
        }

        /** What the result cache knows a query by: its statement and its bound values. */
        String question() {
            return view + "|" + selectList + "|" + rest + "|" + bindings;
        }

        synchronized String advance() {
            if (state.equals("SUCCESS") || state.equals("FAILED_WITH_ERROR")) {
                return state;
            }
            if (cancelled) {
                // aborting for a poll, then failed as cancelled
                if (!state.equals("ABORTING")) {
                    state = "ABORTING";
                    return state;
                }
                state = "FAILED_WITH_ERROR";
                errorCode = 604;
                error = "SQL execution canceled";
                return state;
            }
            polls++;
            java.time.Duration timeout = statementTimeout != null ? statementTimeout : sessionTimeout;
            if (timeout != null && System.nanoTime() - submittedAt > timeout.toNanos()) {
                state = "FAILED_WITH_ERROR";
                errorCode = 630;
                error = "Statement reached its statement or warehouse timeout of " + timeout.toSeconds()
                        + " second(s) and was canceled.";
                return state;
            }
            String cached = resultCache ? cachedResults.get(question()) : null;
            if (polls == 1 && cached != null) {
                // answered from the result cache: succeeded at once, without a warehouse
                try (Connection connection = duck(); Statement statement = connection.createStatement()) {
                    statement.execute("CREATE TABLE " + table + " AS SELECT * FROM " + cached);
                    state = "SUCCESS";
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            } else if (polls == 1 && warehouseSuspended) {
                state = "RESUMING_WAREHOUSE";
                warehouseSuspended = false;
                polls = 0;
            } else if (blockQueries && !state.equals("RUNNING")) {
                state = "BLOCKED";
                polls = 1;
            } else if (polls == 1) {
                state = "QUEUED";
            } else if (polls == 2 || view.equals("slow_vw") || holdRunning) {
                state = "RUNNING";
            } else {
                try (Connection connection = duck(); PreparedStatement statement = connection.prepareStatement(
                        "CREATE TABLE " + table + " AS SELECT " + selectList + " FROM main.\"" + view + "\"" + rest)) {
                    bind(statement, bindings);
                    statement.execute();
                    state = "SUCCESS";
                    cachedResults.put(question(), table);
                } catch (SQLException e) {
                    state = "FAILED_WITH_ERROR";
                    errorCode = 100132;
                    String message = e.getMessage();
                    error = message.contains("\n") ? message.substring(0, message.indexOf('\n')) : message;
                }
            }
            return state;
        }
    }

    // ---- results in Snowflake's JSON result format --------------------------------------------------------

    private ObjectNode resultData(String queryId, String select, long limit, long offset) throws SQLException {
        return resultData(queryId, select, limit, offset, JSON.createObjectNode());
    }

    private ObjectNode resultData(String queryId, String select, long limit, long offset, JsonNode bindings)
            throws SQLException {
        String sql = limit >= 0 ? select + " LIMIT " + limit + " OFFSET " + offset : select;
        ObjectNode data = JSON.createObjectNode();
        data.putArray("parameters");
        ArrayNode rowtype = data.putArray("rowtype");
        ArrayNode rowset = data.putArray("rowset");
        int rows = 0;
        try (Connection connection = duck(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, bindings);
            try (ResultSet rs = statement.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                int count = meta.getColumnCount();
                String[] kinds = new String[count];
                for (int i = 1; i <= count; i++) {
                    kinds[i - 1] = SnowflakeWire.describe(rowtype.addObject(), meta, i, timestampTzColumns);
                }
                List<ArrayNode> beyond = new ArrayList<>();
                while (rs.next()) {
                    ArrayNode row = rows < inlineRows ? rowset.addArray() : JSON.createArrayNode();
                    for (int i = 1; i <= count; i++) {
                        row.add(SnowflakeWire.value(rs, i, kinds[i - 1]));
                    }
                    if (rows >= inlineRows) {
                        beyond.add(row);
                    }
                    rows++;
                }
                if (!beyond.isEmpty()) {
                    storage.describe(data, beyond, chunkRows);
                }
            }
        }
        data.put("total", rows);
        data.put("returned", rowset.size());
        data.put("queryId", queryId);
        data.putNull("databaseProvider");
        data.put("finalDatabaseName", "CITIBIKE");
        data.put("finalSchemaName", "PUBLIC");
        data.put("finalWarehouseName", "API_WH");
        data.put("finalRoleName", "API_READER");
        data.put("numberOfBinds", 0);
        data.put("arrayBindSupported", false);
        data.put("statementTypeId", 4096);
        data.put("version", 1);
        data.put("sendResultTime", System.currentTimeMillis());
        data.put("queryResultFormat", "json");
        return data;
    }

    static ObjectNode error(String code, String message) {
        ObjectNode out = JSON.createObjectNode();
        out.putNull("data");
        out.put("code", code);
        out.put("message", message);
        out.put("success", false);
        return out;
    }

    static ObjectNode ok(JsonNode data) {
        ObjectNode out = JSON.createObjectNode();
        out.set("data", data);
        out.putNull("code");
        out.putNull("message");
        out.put("success", true);
        return out;
    }

    static void reply(HttpExchange exchange, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        storage.close();
        threads.shutdownNow();
        try {
            if (duck != null) {
                duck.close();
            }
        } catch (SQLException e) {
            // closing
        }
    }
}
