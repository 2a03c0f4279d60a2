package io.warehouseapi;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.warehouseapi.access.AccessControl;
import io.warehouseapi.api.RequestParser;
import io.warehouseapi.auth.AuthSettings;
import io.warehouseapi.auth.Authenticator;
import io.warehouseapi.auth.FailedAttempts;
import io.warehouseapi.auth.OperationsGuard;
import io.warehouseapi.auth.Sessions;
import io.warehouseapi.embedded.DuckDbPool;
import io.warehouseapi.embedded.EmbeddedDatabase;
import io.warehouseapi.embedded.EmbeddedWarehouse;
import io.warehouseapi.embedded.SampleDataset;
import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.ops.GracefulShutdown;
import io.warehouseapi.ops.Tracing;
import io.warehouseapi.ops.WarehouseHealthCheck;
import io.warehouseapi.query.ClientLimits;
import io.warehouseapi.query.PollSchedule;
import io.warehouseapi.query.QueryService;
import io.warehouseapi.query.SignedIds;
import io.warehouseapi.reply.Replies;
import io.warehouseapi.settings.StartupException;
import io.warehouseapi.snowflake.RolePools;
import io.warehouseapi.snowflake.SnowflakeSettings;
import io.warehouseapi.snowflake.SnowflakeWarehouse;
import io.warehouseapi.store.PageCache;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.store.SharedResults;
import io.warehouseapi.store.SqlFiles;
import io.warehouseapi.transport.ClientPages;
import io.warehouseapi.transport.Connections;
import io.warehouseapi.transport.ExportDownloads;
import io.warehouseapi.transport.Exposure;
import io.warehouseapi.transport.OriginPolicy;
import io.warehouseapi.transport.RequestLimits;
import io.warehouseapi.transport.SharedServerWebsocketComponent;
import io.warehouseapi.warehouse.CurrentDataSource;
import io.warehouseapi.warehouse.FairExecutor;
import io.warehouseapi.warehouse.ReconnectingWarehouse;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseStatements;
import io.warehouseapi.warehouse.WarehouseUnreachableException;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.concurrent.SizedScheduledExecutorService;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's beans, built from {@code application.properties}: the warehouse, the result store, the query
 * lifecycle, and the protocol's parsing and replies. The route files refer to them by name.
 * <p>
 * camel-main calls {@link #configure(CamelContext)}; Camel JBang ({@code camel run}), which compiles this class from
 * source, calls no configure method but does bind {@link #wiring()}, so both ways of starting build the same beans,
 * once.
 */
@Configuration
public class ApiConfiguration implements CamelConfiguration, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(ApiConfiguration.class);

    /** Threads that time the polls of running queries and send their first pages; no thread waits on a query. */
    private static final int POLL_THREADS = 2;
    /** Sessions per Snowflake role of the access policies, and how many such roles may have a pool. */
    private static final int ROLE_POOL_SIZE = 2;
    private static final int MAX_ROLE_POOLS = 16;

    private final AtomicBoolean configured = new AtomicBoolean();
    private final CurrentDataSource warehouseDataSource = new CurrentDataSource();
    /** The result store the meters read: the embedded one is made anew when the warehouse opens again. */
    private final java.util.concurrent.atomic.AtomicReference<ResultStore> store =
            new java.util.concurrent.atomic.AtomicReference<>();
    private CamelContext camelContext;

    @PropertyInject("camel.server.port")
    private int serverPort;
    @PropertyInject("api.page-size.max")
    private int maxPageSize;
    @PropertyInject("api.max-frame-bytes")
    private int maxFrameBytes;
    @PropertyInject("api.shutdown.grace")
    private String shutdownGrace;
    @PropertyInject("api.allowed-origins")
    private String allowedOrigins;
    @PropertyInject(value = "api.client.connect-src", defaultValue = "")
    private String clientConnectSources;
    @PropertyInject(value = "api.allowed-hosts", defaultValue = "")
    private String allowedHosts;
    @PropertyInject(value = "api.auth.anonymous-beyond-loopback", defaultValue = "false")
    private boolean anonymousBeyondLoopback;
    @PropertyInject("api.worker-threads")
    private int workerThreads;
    @PropertyInject("api.max-outbound-bytes")
    private long maxOutboundBytes;
    @PropertyInject(value = "api.access.policies-file", defaultValue = "")
    private String policiesFile;
    @PropertyInject("api.auth.timeout")
    private String authTimeout;
    @PropertyInject("api.auth.close-grace")
    private String authCloseGrace;
    @PropertyInject("api.auth.failures.free")
    private int authFailuresFree;
    @PropertyInject("api.auth.failures.first-wait")
    private String authFailuresFirstWait;
    @PropertyInject("api.auth.failures.max-wait")
    private String authFailuresMaxWait;
    @PropertyInject("api.export.max-concurrent")
    private int maxConcurrentExports;
    @PropertyInject("api.export.max-concurrent-per-principal")
    private int maxConcurrentExportsPerOwner;
    @PropertyInject("api.export.stall-timeout")
    private String exportStallTimeout;

    @PropertyInject("warehouse.type")
    private String warehouseType;
    @PropertyInject(value = "warehouse.embedded.path", defaultValue = "")
    private String embeddedPath;
    @PropertyInject("warehouse.embedded.sample.path")
    private String samplePath;
    @PropertyInject(value = "warehouse.embedded.allowed-directories", defaultValue = "")
    private String allowedDirectories;
    @PropertyInject(value = "warehouse.embedded.query-log", defaultValue = "false")
    private boolean queryLog;
    @PropertyInject("warehouse.embedded.schema")
    private String embeddedSchema;
    @PropertyInject("warehouse.embedded.sample.trips")
    private long sampleTrips;
    @PropertyInject("warehouse.embedded.pool-size")
    private int poolSize;
    @PropertyInject("warehouse.max-concurrent-queries")
    private int maxConcurrentQueries;
    @PropertyInject("warehouse.max-queued-queries")
    private int maxQueuedQueries;
    @PropertyInject("warehouse.max-queries-per-connection")
    private int maxQueriesPerConnection;
    @PropertyInject(value = "warehouse.max-queries-per-principal", defaultValue = "32")
    private int maxQueriesPerPrincipal;
    @PropertyInject("warehouse.views.include")
    private String viewsInclude;
    @PropertyInject("warehouse.query.timeout")
    private String queryTimeout;


    @PropertyInject("results.spill-directory")
    private String spillDirectory;
    @PropertyInject("results.memory-limit")
    private String storeMemoryLimit;
    @PropertyInject(value = "results.store-file", defaultValue = "")
    private String storeFile;
    @PropertyInject("results.retention")
    private String resultsRetention;
    @PropertyInject(value = "results.max-ids-per-client", defaultValue = "1000")
    private int maxIdsPerClient;
    @PropertyInject(value = "results.max-results-per-client", defaultValue = "100")
    private int maxResultsPerClient;
    @PropertyInject(value = "api.export.max-links-per-client", defaultValue = "100")
    private int maxLinksPerClient;
    @PropertyInject(value = "api.shutdown.drain-delay", defaultValue = "PT0S")
    private String shutdownDrainDelay;
    @PropertyInject(value = "results.shared-dir", defaultValue = "")
    private String sharedDirectory;
    @PropertyInject(value = "api.auth.resume-grace", defaultValue = "PT30S")
    private String resumeGrace;
    @PropertyInject("results.page-cache.max-bytes")
    private long pageCacheBytes;
    @PropertyInject(value = "results.first-page-early", defaultValue = "true")
    private boolean firstPageEarly;
    private PageCache pageCache;

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** Builds the beans when the application runs under Camel JBang, where configure() is not called. */
    @BindToRegistry("warehouseApiWiring")
    public String wiring() throws Exception {
        configure(camelContext);
        return "configured";
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        if (!configured.compareAndSet(false, true)) {
            return;
        }
        if (!"embedded".equals(warehouseType) && !"snowflake".equals(warehouseType)) {
            throw new StartupException("warehouse.type must be 'embedded' or 'snowflake', not '" + warehouseType + "'");
        }
        if (Tracing.configured(System.getenv())) {
            closeOnStop(context, Tracing.start(context));
        }
        Registry registry = context.getRegistry();
        if (registry.findSingleByType(VertxOptions.class) == null) {
            // the HTTP server's Vert.x (camel-platform-http) takes its options from the registry
            registry.bind("vertxOptions", new VertxOptions().setWorkerPoolSize(workerThreads));
        }
        SharedServerWebsocketComponent websocket = new SharedServerWebsocketComponent(serverPort);
        registry.bind("vertx-websocket", websocket);
        context.addStartupListener(new ClientPages(serverPort, "client", clientConnectSources));
        registry.bind("requests", new RequestParser(maxPageSize, maxFrameBytes));
        registry.bind("replies", new Replies());
        Exposure exposure = new Exposure(context.getPropertiesComponent().resolveProperty("camel.server.host")
                .orElse("0.0.0.0"));
        boolean sample = "embedded".equals(warehouseType) && (embeddedPath == null || embeddedPath.isBlank());
        Connections connections = new Connections(websocket::peer, new OriginPolicy(allowedOrigins,
                exposure.acceptsNullOrigin(sample, allowedOrigins), exposure.hosts(allowedHosts)), maxOutboundBytes);
        registry.bind("limits", new RequestLimits());
        Authenticator authenticator = AuthSettings.authenticator(context.getPropertiesComponent());
        FailedAttempts failedAttempts = new FailedAttempts(Clock.systemUTC(), authFailuresFree,
                Duration.parse(authFailuresFirstWait), Duration.parse(authFailuresMaxWait), 100_000);
        Sessions sessions = new Sessions(authenticator, connections, failedAttempts,
                Duration.parse(authTimeout), Duration.parse(authCloseGrace),
                context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "sessions"));
        registry.bind("sessions", sessions);
        if (authenticator == null) {
            exposure.requireOptInWithoutAuthentication(anonymousBeyondLoopback);
        } else {
            LOG.info("Authentication: {}", authenticator.mode());
            context.addStartupListener(new OperationsGuard(serverPort, authenticator, failedAttempts));
        }
        registry.bind("connections", connections);
        // camel-micrometer-prometheus serves this registry at /observe/metrics, with Camel's own meters: the one it
        // has bound already, or one it will find here
        MeterRegistry meterRegistry = registry.lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (meterRegistry == null) {
            meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind("metricsRegistry", meterRegistry);
        }
        ApiMetrics metrics = new ApiMetrics(meterRegistry);
        metrics.gauge("warehouse_api_connections_open", "Open WebSocket connections", connections::openCount);
        metrics.counter("warehouse_api_auth_refused", "Credentials refused",
                attempts -> ((FailedAttempts) attempts).failureCount(), failedAttempts);
        metrics.counter("warehouse_api_auth_throttled",
                "Sign-ins not evaluated because their address had failed too often",
                attempts -> ((FailedAttempts) attempts).throttledCount(), failedAttempts);
        registry.bind("pollSchedule", new PollSchedule());
        pageCache = new PageCache(pageCacheBytes);
        pageCache.bindTo(meterRegistry);
        registry.bind("pageCache", pageCache);

        ThreadPoolProfile queryThreads = new ThreadPoolProfile("warehouse-query");
        queryThreads.setPoolSize(maxConcurrentQueries);
        queryThreads.setMaxPoolSize(maxConcurrentQueries);
        queryThreads.setMaxQueueSize(maxQueuedQueries);
        queryThreads.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        ExecutorService executor = context.getExecutorServiceManager().newThreadPool(this, "warehouse-query",
                queryThreads);
        // the embedded engine's queries queue here, each tenant served in turn
        FairExecutor embeddedQueries = new FairExecutor(maxConcurrentQueries, maxQueuedQueries, "embedded-query");
        closeOnStop(context, embeddedQueries);

        // the plain-SQL warehouse statements run as the routes' jdbc: steps, on the pool of the warehouse open now
        registry.bind("sqlFiles", new SqlFiles());
        registry.bind("warehouseDataSource", warehouseDataSource);
        WarehouseStatements statements = new WarehouseStatements(context.createProducerTemplate());
        ReconnectingWarehouse warehouse;
        if ("snowflake".equals(warehouseType)) {
            // the result store is an in-memory DuckDB instance of its own, named so that every connection of the
            // pool opens the same one, and kept alive by a connection held for the application's life; Snowflake's
            // results are copied into it
            String storeUrl = "jdbc:duckdb::memory:results_" + Long.toHexString(System.nanoTime());
            Connection storeAnchor = new org.duckdb.DuckDBDriver().connect(storeUrl, new java.util.Properties());
            HikariDataSource storeSource = DuckDbPool.open("results", storeUrl, null, poolSize);
            closeOnStop(context, storeSource, storeAnchor);
            ResultStore store = new ResultStore(storeSource, Path.of(spillDirectory), storeMemoryLimit, false, null,
                    pageCache);
            store.start();
            bindStore(registry, store, metrics);
            SnowflakeSettings settings = SnowflakeSettings.from(context.getPropertiesComponent());
            warehouse = new ReconnectingWarehouse("snowflake",
                    () -> openSnowflake(context, settings, statements, store, executor));
        } else {
            warehouse = new ReconnectingWarehouse("embedded",
                    () -> openEmbedded(context, statements, embeddedQueries, metrics));
        }
        warehouse.connect();
        context.addStartupListener(warehouse.catalogAtStart());
        registry.bind("warehouse", warehouse);
        AccessControl access = new AccessControl(policiesFile.isBlank() ? null : Path.of(policiesFile),
                sessions::claims, warehouse::views);
        access.start();
        sessions.scopedBy(access::scopeKey);
        // after the catalog's first reading: the policies' names are checked against it
        context.addStartupListener(access.catalogAtStart());
        registry.bind("access", access);
        registry.bind("warehouseHealthCheck", new WarehouseHealthCheck(warehouse, connections));
        QueryService queries = new QueryService(warehouse, Duration.parse(queryTimeout),
                Duration.parse(resultsRetention), maxQueriesPerConnection, metrics,
                pollTimer(context),
                signedIds(context.getPropertiesComponent()), Duration.parse(resumeGrace), Clock.systemUTC());
        queries.connectionsOpen(connections::isOpen);
        queries.firstPageEarly(firstPageEarly);
        startup(() -> {
            queries.limit(new ClientLimits(maxIdsPerClient, maxResultsPerClient, maxLinksPerClient,
                    maxQueriesPerPrincipal));
            return queries;
        });
        registry.bind("queries", queries);
        if (maxConcurrentExports < 1) {
            throw new StartupException("api.export.max-concurrent must be at least 1, not " + maxConcurrentExports);
        }
        // as many download threads as may stream at once, and no queue: one more download is refused at once
        ThreadPoolProfile downloads = new ThreadPoolProfileBuilder("export-download").poolSize(maxConcurrentExports)
                .maxPoolSize(maxConcurrentExports).maxQueueSize(0).rejectedPolicy(ThreadPoolRejectedPolicy.Abort)
                .build();
        context.addStartupListener(new ExportDownloads(serverPort, queries,
                context.getExecutorServiceManager().newThreadPool(this, "export-download", downloads),
                Duration.parse(exportStallTimeout), metrics, maxConcurrentExportsPerOwner, Tracing.tracer(context)));
        context.getManagementStrategy().addEventNotifier(
                new GracefulShutdown(connections, queries, Duration.parse(shutdownGrace),
                        Duration.parse(shutdownDrainDelay)));
    }

    private Warehouse openSnowflake(CamelContext context, SnowflakeSettings settings, WarehouseStatements statements,
                                    ResultStore store, ExecutorService executor) throws Exception {
        HikariDataSource snowflake = settings.dataSource();
        closeOnStop(context, snowflake);
        warehouseDataSource.use(snowflake);
        // the roles of the access policies (snowflake_role): a small pool each, opened when first needed
        RolePools roles = new RolePools(role -> settings.dataSource(role, ROLE_POOL_SIZE), MAX_ROLE_POOLS);
        closeOnStop(context, roles);
        Warehouse warehouse = new SnowflakeWarehouse(snowflake, roles, statements, store, executor,
                settings.database(), settings.schema(), viewsInclude, settings.maxLocalRows())
                .noDataGrace(settings.noDataGrace())
                .maxRunning(settings.maxRunningQueries());
        LOG.info("Warehouse: Snowflake account {} as {}, {}.{}", settings.account(), settings.user(),
                settings.database(), settings.schema());
        return warehouse;
    }

    /** Binds the result store and publishes its meters (once, though the embedded one opens again on reconnect). */
    private void bindStore(Registry registry, ResultStore store, ApiMetrics metrics) {
        registry.bind("resultStore", store);
        if (this.store.getAndSet(store) == null) {
            metrics.gauge("warehouse_api_store_results", "Results held in the result store",
                    () -> this.store.get().size());
            metrics.gauge("warehouse_api_store_memory_bytes", "Bytes of stored results held in memory",
                    () -> this.store.get().usage().memoryBytes());
            metrics.gauge("warehouse_api_store_spilled_bytes", "Bytes of stored results spilled to disk",
                    () -> this.store.get().usage().spilledBytes());
        }
    }

    private Warehouse openEmbedded(CamelContext context, WarehouseStatements statements, FairExecutor executor,
                                   ApiMetrics metrics) throws Exception {
        EmbeddedDatabase database = embeddedPath == null || embeddedPath.isBlank()
                ? EmbeddedDatabase.sample(Path.of(samplePath))
                : EmbeddedDatabase.usersOwn(Path.of(embeddedPath));
        HikariDataSource dataSource = DuckDbPool.open("warehouse", database.url(), database.connectionInitSql(),
                poolSize);
        closeOnStop(context, dataSource, database.anchor());
        ResultStore store = new ResultStore(dataSource, Path.of(spillDirectory), storeMemoryLimit, true,
                storeFile == null || storeFile.isBlank() ? null : Path.of(storeFile), pageCache);
        store.start();
        bindStore(context.getRegistry(), store, metrics);
        if (!database.usersOwn()) {
            new SampleDataset(dataSource, sampleTrips).ensure();
        }
        warehouseDataSource.use(dataSource);
        SharedResults shared = sharedDirectory == null || sharedDirectory.isBlank()
                ? null : new SharedResults(Path.of(sharedDirectory));
        database.lockDown(database.engineDirectories(Path.of(spillDirectory),
                shared == null ? null : shared.directory(),
                storeFile == null || storeFile.isBlank() ? null : Path.of(storeFile), allowedDirectories), queryLog);
        if (shared != null) {
            LOG.info("Shared results directory: {} (every replica that shares it and api.handles.keys serves every "
                     + "result)", shared.directory());
        }
        EmbeddedWarehouse warehouse = new EmbeddedWarehouse(dataSource, statements, store, executor, embeddedSchema,
                viewsInclude, shared);
        if (firstPageEarly) {
            // a fresh result's first page goes as the engine hands its first rows over, up to the largest page
            warehouse.keepFirstRows(maxPageSize);
        }
        LOG.info(database.usersOwn() ? "Warehouse: embedded DuckDB, the database {} (read-only)"
                : "Warehouse: embedded DuckDB, the generated sample in {}", database.file());
        return warehouse;
    }

    /**
     * The query layer's timer ({@link #POLL_THREADS} threads): each running query's poll loop keeps one wait on it,
     * and a wait cut short (the query ended, its first rows stored) is removed and replaced by one task at once, so
     * its queue holds about one task per polling request, which the per-connection and per-principal query limits
     * bound; Camel's default cap of 1,000 queued tasks would refuse the polls of a thousand clients that joined one
     * query when its first rows and then its end wake them all.
     */
    private ScheduledExecutorService pollTimer(CamelContext context) {
        ScheduledExecutorService timer = context.getExecutorServiceManager().newScheduledThreadPool(this, "query-poll",
                new ThreadPoolProfileBuilder("query-poll").poolSize(POLL_THREADS).maxQueueSize(-1).build());
        ScheduledThreadPoolExecutor pool = timer instanceof SizedScheduledExecutorService sized
                ? sized.getScheduledThreadPoolExecutor() : (ScheduledThreadPoolExecutor) timer;
        pool.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * The keys that sign query ids and export links ({@code api.handles.keys}, or one per line in
     * {@code api.handles.keys-file}); without any, a key of this process's own. Keys are never logged.
     */
    private static SignedIds signedIds(org.apache.camel.spi.PropertiesComponent properties) {
        // read here rather than injected: an injected value is logged at DEBUG as it is resolved
        SignedIds ids = startup(() -> SignedIds.fromSettings(properties.resolveProperty("api.handles.keys").orElse(""),
                properties.resolveProperty("api.handles.keys-file").orElse("")));
        LOG.info(ids.describe());
        return ids;
    }

    /** A value built from settings, whose refusal (naming the setting) stops the start. */
    private static <T> T startup(java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
    }

    /** Closes resources, in the order given, when the application stops. */
    private static void closeOnStop(CamelContext context, AutoCloseable... resources) throws Exception {
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                for (AutoCloseable resource : resources) {
                    resource.close();
                }
            }
        }, true, true);
    }
}
