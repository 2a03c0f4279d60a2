package io.warehouseapi.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.warehouseapi.api.ApiException;
import io.warehouseapi.api.ApiRequest;
import io.warehouseapi.api.ErrorCode;
import io.warehouseapi.ops.ApiMetrics;
import io.warehouseapi.question.QuestionException;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.StoredResult;
import io.warehouseapi.warehouse.ExposedView;
import io.warehouseapi.warehouse.Identifiers;
import io.warehouseapi.warehouse.QueryState;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseException;
import io.warehouseapi.warehouse.WarehouseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query lifecycle as the API sees it, whichever warehouse runs the queries.
 * <p>
 * Two layers. A <em>shared query</em> is one warehouse query and its one stored result, for one question (a view as
 * currently defined). A <em>query id</em> is what one client holds: its own id, owner, progress and replies, attached
 * to a shared query. Identical {@code run_view}s while a shared query is queued or running join it; an identical one
 * within the view's reuse window after it succeeded is answered from its stored result without touching the
 * warehouse ({@code fresh} asks never to be answered from a result that finished before the request). A query id is
 * usable only by its owner (its connection, or with authentication its principal, on any connection); to anyone else
 * it does not exist. A shared query is cancelled in the warehouse when the last id waiting for it goes, and its result
 * is dropped when the last id using it expires or is released, and its reuse window has passed.
 * <p>
 * Query ids and export links are signed ({@link SignedIds}): they name the warehouse's own id of their result, their
 * owner and their expiry, so that any replica holding the same keys can check one it did not issue and take its
 * query up ({@link Warehouse#adopt}). Only ids of principals (with authentication) travel so; without it an id stays
 * bound to the connection that started it.
 */
public class QueryService {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
    private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;
    /** When a result was computed, in an export's file name. */
    private static final java.time.format.DateTimeFormatter FILE_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);

    private final Warehouse warehouse;
    private final Duration statementTimeout;
    private final Duration resultRetention;
    private final ApiMetrics metrics;
    private final int maxPerOwner;
    private final SignedIds ids;
    private final Duration resumeGrace;
    /** Set at shutdown when the warehouse runs queries on without this process: none is cancelled from then on. */
    private volatile boolean handingOff;
    private final Map<String, Handle> handles = new ConcurrentHashMap<>();
    private volatile Predicate<String> connectionOpen = connection -> true;
    private volatile int maxIdsPerOwner = 1000;
    /** The wall clock of expiry, reuse windows and ids (durations and timeouts are measured with nanoTime). */
    private final Clock clock;
    private volatile int maxLinksPerOwner = 100;
    /** The shared query that answers each question now: in flight, or finished and perhaps reusable. */
    private final Map<Question, Shared> current = new ConcurrentHashMap<>();
    /** Every shared query whose result is held, current or not. */
    private final Set<Shared> held = ConcurrentHashMap.newKeySet();
    /** Export links by token, until they expire. */
    private final Map<String, Export> exports = new ConcurrentHashMap<>();
    /** Guards the records of ids and results taken up from other replicas (never held while a copy is awaited). */
    private final Object adoptions = new Object();
    static final String PRINCIPAL = "principal:";
    /** How long taking up a finished result waits for its copy into this replica's store. */
    private static final Duration ADOPTION_WAIT = Duration.ofSeconds(60);
    private final ScheduledExecutorService pollTimer;
    private volatile ReusePolicy reuse = ReusePolicy.NONE;
    private volatile String reuseSettings = "";

    /**
     * @param pollTimer the threads on which a {@code run_view} waits between polls and then goes on (no thread is
     *                  held while it waits)
     * @param clock     the wall clock of ids' and links' expiry and of reuse windows
     */
    public QueryService(Warehouse warehouse, Duration statementTimeout, Duration resultRetention,
                        int maxPerOwner, ApiMetrics metrics, ScheduledExecutorService pollTimer, SignedIds ids,
                        Duration resumeGrace, Clock clock) {
        this.clock = clock;
        this.ids = ids;
        this.resumeGrace = resumeGrace;
        this.pollTimer = pollTimer;
        this.maxPerOwner = maxPerOwner;
        this.warehouse = warehouse;
        this.statementTimeout = statementTimeout;
        this.resultRetention = resultRetention;
        this.metrics = metrics;
        metrics.gauge("warehouse_api_queries_in_flight", "Warehouse queries submitted and not yet ended",
                this::inFlight);
        metrics.gauge("warehouse_api_results_shared", "Stored results held for query ids or for reuse",
                held::size);
        metrics.gauge("warehouse_api_query_ids", "Query ids this replica holds (running and finished)",
                handles::size);
        metrics.gauge("warehouse_api_export_links", "Export links this replica issued that have not been swept",
                exports::size);
    }

    /**
     * Tells this service which connections are still open (the transport's view of them), so that a {@code run_view}
     * that waited in its queue while its connection closed is not left running for nobody.
     */
    public void connectionsOpen(Predicate<String> isOpen) {
        this.connectionOpen = isOpen;
    }

    /**
     * How many finished query ids one client keeps readable at most ({@code results.max-ids-per-client}); the oldest
     * are forgotten first. At least 1.
     */
    public void keepFinishedIds(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("results.max-ids-per-client must be at least 1, not " + max);
        }
        this.maxIdsPerOwner = max;
    }

    /**
     * How many unexpired export links one client may hold ({@code api.export.max-links-per-client}); one more is
     * {@code TOO_MANY_REQUESTS}. At least 1.
     */
    public void keepExportLinks(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("api.export.max-links-per-client must be at least 1, not " + max);
        }
        this.maxLinksPerOwner = max;
    }

    /** One question asked of the warehouse: a selection of a view, as the view is defined now. */
    record Question(String view, String definition, Selection selection) {
    }

    /**
     * Answers a {@code run_view}: joins an identical query in flight, reuses an identical finished result within the
     * view's reuse window, or starts {@code SELECT * FROM <view>}; returns the client's new query id.
     *
     * @param owner       who may use the query id (see {@code Sessions.owner})
     * @param connection  the connection that asked, which waits for the first page
     * @param reuseWindow {@code results.reuse-window}, passed by the route so that a change is live on reload
     * @param perView     {@code results.reuse-window.views}, likewise
     */
    public String submit(String owner, String connection, ApiRequest request, String reuseWindow, String perView) {
        try {
            return start(owner, connection, request, reuseWindow, perView);
        } catch (WarehouseException e) {
            throw reply(e, null);
        }
    }

    /** A warehouse's refusal as the protocol's error reply. */
    private static ApiException reply(WarehouseException e, String queryId) {
        LOG.debug("The warehouse refused: {} ({})", e.getMessage(), e.reason());
        return switch (e.reason()) {
            case BUSY -> new ApiException(ErrorCode.TOO_MANY_REQUESTS,
                    "Too many queries are waiting for the warehouse; try again shortly.", queryId, null);
            case UNREACHABLE -> new ApiException(ErrorCode.WAREHOUSE_UNAVAILABLE,
                    "The warehouse cannot be reached right now.", queryId, null);
        };
    }

    private String start(String owner, String connection, ApiRequest request, String reuseWindow, String perView) {
        if (!warehouse.isAvailable()) {
            throw new ApiException(ErrorCode.WAREHOUSE_UNAVAILABLE, "The warehouse cannot be reached right now.");
        }
        ReusePolicy policy = reusePolicy(reuseWindow, perView);
        ExposedView view = findView(request.viewName());
        long running = handles.values().stream()
                .filter(h -> h.connection.equals(connection) && h.finishedAt == 0).count();
        if (running >= maxPerOwner) {
            throw new ApiException(ErrorCode.TOO_MANY_REQUESTS, "This connection has " + running
                                   + " queries running, the most it may have; wait for one to end or cancel it.");
        }
        Selection selection;
        try {
            selection = request.ask().resolve(view);
        } catch (QuestionException e) {
            throw ApiException.badRequest(e.getMessage(), request.requestId());
        }
        Duration window = policy.windowFor(view.name());
        Question question = new Question(view.name(), warehouse.currentDefinition(view), selection);
        Instant asked = clock.instant();
        How[] how = {How.FRESH};
        Shared[] superseded = {null};
        Shared shared = current.compute(question, (q, existing) -> {
            if (existing != null && existing.attach()) {
                if (!existing.isFinished()) {
                    how[0] = How.JOINED;
                    return existing;
                }
                if (existing.succeeded() && !request.fresh() && existing.reusableAt(asked, window)) {
                    how[0] = How.REUSED;
                    return existing;
                }
                existing.detach();
                superseded[0] = existing;
            }
            // a fresh run: the warehouse says no (busy, unreachable) by throwing, and nothing changes
            Shared started = new Shared(q, warehouse.submit(selection));
            started.attach();
            held.add(started);
            return started;
        });
        if (how[0] == How.FRESH) {
            metrics.queryStarted();
        }
        if (superseded[0] != null && superseded[0].isFinished()) {
            // a newer result answers its question now: nobody can reuse it, so it goes once nobody uses it
            drop(superseded[0]);
        }
        metrics.runView(how[0].meter);
        if (how[0] == How.REUSED) {
            warehouse.reused(shared.warehouseId);
        }
        Instant expiresAt = idExpiry(asked);
        String queryId = ids.issue(SignedIds.Kind.QUERY, owner, ref(shared.warehouseId), expiresAt);
        Handle handle = new Handle(queryId, owner, connection, shared, request.hasRequestId(), expiresAt);
        handles.put(queryId, handle);
        forgetOldestFinished(owner);
        if (!connectionOpen.test(connection)) {
            // the connection closed while this run_view waited in its queue, and its release may have run before the
            // handle was there: released now, as it would have been (put first, checked after, so none slips by)
            LOG.info("query={} view={}: its connection closed before the query was submitted", queryId, view.name());
            release(connection);
        }
        TraceTags.query(view.name(), queryId, owner, how[0].meter);
        LOG.info("query={} view={} state=QUEUED result={} {} trace_id={}", queryId, view.name(), shared.warehouseId,
                how[0].logged, TraceTags.traceId());
        return queryId;
    }

    /**
     * Keeps at most {@code results.max-ids-per-client} finished query ids per owner (a connection, or a principal
     * across its connections): beyond that the oldest finished ones are forgotten first, with their use of their
     * results, as if they had expired. Ids still running are never forgotten here (their number has its own cap).
     */
    private void forgetOldestFinished(String owner) {
        List<Handle> finished = new ArrayList<>();
        for (Handle handle : handles.values()) {
            if (handle.owner.equals(owner) && handle.finishedAt != 0) {
                finished.add(handle);
            }
        }
        // room for the id being issued
        int excess = finished.size() - (maxIdsPerOwner - 1);
        if (excess <= 0) {
            return;
        }
        finished.sort((a, b) -> Long.signum(a.finishedAt - b.finishedAt));
        for (Handle oldest : finished.subList(0, excess)) {
            if (handles.remove(oldest.id, oldest)) {
                release(oldest);
            }
        }
        LOG.debug("Forgot {} finished query ids of one client beyond {}", excess, maxIdsPerOwner);
    }

    private ReusePolicy reusePolicy(String window, String perView) {
        String settings = window + "\n" + perView;
        if (!settings.equals(reuseSettings)) {
            reuse = ReusePolicy.parse(window, perView);
            reuseSettings = settings;
        }
        return reuse;
    }

    /**
     * When a query id issued now stops working: after the longest its query may run and then the retention, so that
     * it outlives the result it names on every replica.
     */
    private Instant idExpiry(Instant issued) {
        return issued.plus(statementTimeout).plus(resultRetention);
    }

    /**
     * A warehouse's id of a result as a signed id carries it: a UUID (Snowflake's query ids and the embedded
     * warehouse's are). Any other form gets a random one, which leaves its ids valid on this replica alone.
     */
    private static UUID ref(String warehouseId) {
        try {
            UUID uuid = UUID.fromString(warehouseId);
            if (uuid.toString().equals(warehouseId)) {
                return uuid;
            }
        } catch (IllegalArgumentException e) {
            // not a UUID
        }
        return UUID.randomUUID();
    }

    private ExposedView findView(String name) {
        for (ExposedView view : warehouse.views()) {
            if (Identifiers.equalsIgnoreAsciiCase(view.name(), name)) {
                return view;
            }
        }
        throw new ApiException(ErrorCode.VIEW_NOT_FOUND, "No view of that name is exposed by this API.");
    }

    /** The exposed views, for {@code list_views}. */
    public List<ExposedView> views() {
        try {
            return warehouse.views();
        } catch (WarehouseException e) {
            throw reply(e, null);
        }
    }

    /** One poll of a query that a {@code run_view} started, enforcing the statement timeout. */
    public QueryProgress poll(String queryId) {
        Handle handle = handles.get(queryId);
        if (handle == null) {
            // its owner went away and the query was cancelled and forgotten
            return new QueryProgress(queryId, QueryState.CANCELLED, 0, false);
        }
        QueryState state = stateOf(handle);
        metrics.polled();
        long elapsedMs = handle.elapsedMs();
        if (state == QueryState.RUNNING && !handle.seenRunning) {
            handle.seenRunning = true;
            LOG.info("query={} view={} state=RUNNING duration_ms={}", queryId, handle.shared.question.view(),
                    elapsedMs);
        }
        if (state.isFinished()) {
            handle.finished(state);
        }
        return new QueryProgress(queryId, state, elapsedMs, !state.isFinished() && handle.progressDue());
    }

    /**
     * The next poll of a query, after the given delay or as soon as the warehouse says the query has ended (or its
     * client cancelled it), whichever comes first: a result is never kept waiting for the rest of a delay.
     * Asynchronous: the route goes on, on a poll-timer thread, when the returned stage completes.
     */
    public CompletableFuture<QueryProgress> awaitPoll(String queryId, long delayMs) {
        CompletableFuture<Void> wake = new CompletableFuture<>();
        ScheduledFuture<?> timer = pollTimer.schedule(() -> wake.complete(null), delayMs, TimeUnit.MILLISECONDS);
        Runnable early = () -> {
            if (timer.cancel(false)) {
                // not on the warehouse's thread, which has its next query to run
                pollTimer.execute(() -> wake.complete(null));
            }
        };
        Handle handle = handles.get(queryId);
        if (handle != null) {
            handle.cancelled.thenRun(early);
            warehouse.whenEnded(handle.shared.warehouseId)
                    .ifPresent(ended -> ended.whenComplete((ignored, failure) -> early.run()));
        }
        // the poll runs on the timer's thread, in the trace of the step that asked for it
        return wake.thenApply(TraceTags.inCurrentTrace(ignored -> poll(queryId)));
    }

    /** The first page of a query that a {@code run_view} started and polled to its end. */
    public ResultPage firstPage(String queryId, ApiRequest request) {
        Handle handle = handles.get(queryId);
        if (handle == null) {
            throw new ApiException(ErrorCode.QUERY_CANCELLED, "The query was cancelled.", queryId, null);
        }
        TraceTags.outcome(queryId, handle.outcome);
        ResultPage page = page(handle, 0, request.pageSize());
        metrics.firstPage(System.nanoTime() - handle.startedAt, page.page().rowCount());
        TraceTags.page(handle.shared.question.view(), queryId, 0, page.page().rowCount());
        return page;
    }

    /** A page of a finished query, for {@code fetch_results}. */
    public ResultPage readPage(String owner, ApiRequest request) {
        long started = System.nanoTime();
        Handle handle = owned(owner, request.queryId());
        ResultPage page = page(handle, request.offset(), request.pageSize());
        metrics.page(System.nanoTime() - started, page.page().rowCount());
        TraceTags.page(handle.shared.question.view(), handle.id, request.offset(), page.page().rowCount());
        return page;
    }

    private ResultPage page(Handle handle, long offset, int pageSize) {
        Shared shared = requireSucceeded(handle);
        Page page;
        try {
            page = warehouse.readPage(shared.warehouseId, offset, pageSize);
        } catch (WarehouseException e) {
            throw reply(e, handle.id);
        }
        if (page == null) {
            throw new ApiException(ErrorCode.QUERY_NOT_FOUND, "No query of that id is known to this client.",
                    handle.id, null);
        }
        return new ResultPage(handle.id, shared.computedAt(), page);
    }

    /** The shared query of an id whose query succeeded; else the error reply its state calls for. */
    private Shared requireSucceeded(Handle handle) {
        Shared shared = handle.shared;
        QueryState state = stateOf(handle);
        switch (state) {
            case QUEUED, RUNNING -> throw new ApiException(ErrorCode.QUERY_NOT_FINISHED,
                    "The query is still " + state.name().toLowerCase(Locale.ROOT) + "; wait for its results.",
                    handle.id, null);
            case FAILED -> throw new ApiException(ErrorCode.QUERY_FAILED, shared.error(), handle.id, null);
            case CANCELLED -> throw shared.timedOut && !handle.isCancelled()
                    ? new ApiException(ErrorCode.QUERY_TIMEOUT, "The query ran longer than the limit of "
                                                                + statementTimeout.toSeconds() + " s and was cancelled.",
                            handle.id, null)
                    : new ApiException(ErrorCode.QUERY_CANCELLED, "The query was cancelled.", handle.id, null);
            default -> {
                return shared;
            }
        }
    }

    /**
     * A link to download the whole result of a finished query of the caller's, for {@code export}: a new token,
     * valid for {@code linkTtl} ({@code api.export.link-ttl}, passed by the route), which keeps the result while it
     * is valid. The token is signed for the result, its format and its expiry, and carries nothing else; it is
     * checked only by {@link #openExport}, on any replica that holds the keys.
     */
    public ExportLink export(String owner, ApiRequest request, String linkTtl) {
        Handle handle = owned(owner, request.queryId());
        Shared shared = requireSucceeded(handle);
        boolean stored;
        try {
            stored = warehouse.result(shared.warehouseId) != null;
        } catch (WarehouseException e) {
            throw reply(e, handle.id);
        }
        if (!stored) {
            throw ApiException.badRequest("This result is larger than the server keeps "
                                          + "(warehouse.snowflake.local-copy.max-rows), so it cannot be exported; "
                                          + "narrow the question with columns or filters.", request.requestId());
        }
        Instant now = clock.instant();
        long links = exports.values().stream()
                .filter(export -> owner.equals(export.owner) && now.isBefore(export.expiresAt)).count();
        if (links >= maxLinksPerOwner) {
            throw new ApiException(ErrorCode.TOO_MANY_REQUESTS, "This client holds " + links
                                   + " export links, the most it may (api.export.max-links-per-client); a link stops "
                                   + "counting when it expires.", handle.id, request.requestId());
        }
        if (!shared.attach()) {
            throw new ApiException(ErrorCode.QUERY_NOT_FOUND, "No query of that id is known to this client.");
        }
        ExportFormat format = ExportFormat.fromWire(request.format());
        Instant expiresAt = now.plus(Duration.parse(linkTtl)).truncatedTo(ChronoUnit.SECONDS);
        warehouse.reused(shared.warehouseId);
        // a bearer link: signed for its format and result, owned by nobody
        String token = ids.issue(SignedIds.Kind.EXPORT, format.wireName(), ref(shared.warehouseId), expiresAt);
        exports.put(token, new Export(shared, format, expiresAt, handle.id, owner));
        LOG.info("query={} view={} export={} expires_at={}", handle.id, shared.question.view(), format.wireName(),
                expiresAt);
        return new ExportLink(handle.id, format.wireName(), "/exports/" + token, expiresAt);
    }

    /**
     * Whether a token is an export link's that this replica issued or one signed under a listed key, without opening
     * it: a quick check (a map and a signature) that turns away made-up tokens before any thread waits on them.
     */
    public boolean mayBeExport(String token) {
        if (token == null) {
            return false;
        }
        if (exports.containsKey(token)) {
            return true;
        }
        Instant now = clock.instant();
        for (ExportFormat format : ExportFormat.values()) {
            if (ids.open(SignedIds.Kind.EXPORT, format.wireName(), token, now) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The download behind an export link's token, or null for a token never issued, expired, or whose result is
     * gone. The result is kept until the download is closed.
     */
    public Download openExport(String token) {
        Export export = token == null ? null : exports.get(token);
        if (export == null) {
            // one another replica issued: taken up here, attached for this download
            export = foreignExport(token);
        } else if (!clock.instant().isBefore(export.expiresAt) || !export.shared.attach()) {
            return null;
        }
        if (export == null) {
            return null;
        }
        Shared shared = export.shared;
        java.io.InputStream stream;
        try {
            stream = warehouse.export(shared.warehouseId, export.format, () -> letGo(shared));
        } catch (WarehouseException e) {
            stream = null;
        }
        if (stream == null) {
            letGo(shared);
            return null;
        }
        metrics.export(export.format.wireName());
        LOG.info("query={} view={} export={} download started", export.queryId, shared.question.view(),
                export.format.wireName());
        return new Download(stream, export.format, fileName(shared, export.format), export.owner, export.queryId);
    }

    /**
     * An export link another replica issued (or this one, under another of the listed keys): opened if it is valid, and
     * its result taken up here if it succeeded; else null. The result returned is attached once for the caller.
     */
    private Export foreignExport(String token) {
        if (token == null) {
            return null;
        }
        Instant now = clock.instant();
        for (ExportFormat format : ExportFormat.values()) {
            SignedIds.Opened opened = ids.open(SignedIds.Kind.EXPORT, format.wireName(), token, now);
            if (opened != null) {
                Shared shared = adopt(opened.ref().toString());
                if (shared == null) {
                    return null;
                }
                if (sharedState(shared) != QueryState.SUCCESS) {
                    letGo(shared);
                    return null;
                }
                return new Export(shared, format, opened.expiresAt(), "-", null);
            }
        }
        return null;
    }

    /** A download's file name: the view and when its result was computed, such as TRIP_WEATHER_VW-20180601T000000Z.csv */
    private static String fileName(Shared shared, ExportFormat format) {
        String view = shared.question.view().replaceAll("[^A-Za-z0-9_.-]", "_");
        String at = FILE_TIME.format(shared.computedAt());
        return view + "-" + at + "." + format.extension();
    }

    /** An export link as the {@code export} reply gives it. */
    public record ExportLink(String queryId, String format, String url, Instant expiresAt) {
    }

    /**
     * An export being downloaded: its stream (closing it lets the result go), format and file name, and the owner
     * who asked for its link (null for a link another replica issued) and the id of its query ({@code -} then).
     */
    public record Download(java.io.InputStream stream, ExportFormat format, String fileName, String owner,
                           String queryId) {
    }

    /**
     * An issued export link: the result it keeps, its format, when it stops working, the id it came from, and the
     * owner who asked for it (null when another replica issued it).
     */
    private record Export(Shared shared, ExportFormat format, Instant expiresAt, String queryId, String owner) {
    }

    /**
     * Cancels a query for {@code cancel}: ends this client's interest in it; the warehouse query stops when nobody
     * waits for it any more. A query that already ended is left as it is.
     */
    public CancelOutcome cancel(String owner, ApiRequest request) {
        Handle handle = owned(owner, request.queryId());
        QueryState state = stateOf(handle);
        if (state.isFinished()) {
            return new CancelOutcome(handle.id, false, state);
        }
        handle.cancel();
        handle.finished(QueryState.CANCELLED);
        release(handle);
        return new CancelOutcome(handle.id, true, QueryState.CANCELLED);
    }

    /** The state of a query, for {@code query_status}. */
    public QueryState state(String owner, ApiRequest request) {
        return stateOf(owned(owner, request.queryId()));
    }

    /**
     * A connection has gone: the queries it started and still waited for are given up (and cancelled in the warehouse
     * when nobody else waits for them), and its finished ones are forgotten when the connection was their owner.
     * With authentication, finished results stay readable by their principal from its other connections until they
     * expire.
     */
    public void release(String connection) {
        handles.values().removeIf(handle -> {
            if (!handle.connection.equals(connection)) {
                return false;
            }
            QueryState state = stateOf(handle);
            if (state.isFinished() && !handle.owner.equals(connection)) {
                return false;
            }
            if (!state.isFinished() && handle.owner.startsWith(PRINCIPAL)
                && (handingOff || !resumeGrace.isZero() && !resumeGrace.isNegative())) {
                // its principal may take it up again from another connection, on this replica or another
                handle.orphaned = true;
                handle.connection = handle.owner;
                if (!handingOff) {
                    LOG.info("query={} view={}: its connection closed; kept running for {} for its principal",
                            handle.id, handle.shared.question.view(), resumeGrace);
                    pollTimer.schedule(() -> abandonIfOrphaned(handle), resumeGrace.toMillis(),
                            TimeUnit.MILLISECONDS);
                }
                return false;
            }
            if (!state.isFinished()) {
                LOG.info("query={} view={}: its connection closed; giving it up", handle.id,
                        handle.shared.question.view());
                handle.cancel();
                handle.finished(QueryState.CANCELLED);
            }
            release(handle);
            return true;
        });
    }

    /** A principal's query whose connection closed and which nobody took up within the resume grace is given up. */
    private void abandonIfOrphaned(Handle handle) {
        if (!handle.orphaned || handingOff || stateOf(handle).isFinished()) {
            return;
        }
        LOG.info("query={} view={}: not taken up within {} of its connection closing; giving it up", handle.id,
                handle.shared.question.view(), resumeGrace);
        handle.cancel();
        handle.finished(QueryState.CANCELLED);
        handles.remove(handle.id, handle);
        release(handle);
    }

    /**
     * At shutdown, where the warehouse runs queries on without this process (Snowflake): leaves every query a
     * principal waits for running in the warehouse, for the replica its client reaches next to take up, cancels the
     * others, and ends this process's own waiting for all of them. Call once connections are closed. Returns how many
     * queries were left running.
     */
    public int handOff() {
        handingOff = true;
        int left = 0;
        for (Shared shared : held) {
            if (shared.isFinished() || sharedState(shared).isFinished()) {
                continue;
            }
            boolean awaited = handles.values().stream()
                    .anyMatch(handle -> handle.shared == shared && handle.owner.startsWith(PRINCIPAL));
            if (awaited) {
                left++;
            } else {
                warehouse.cancel(shared.warehouseId);
            }
        }
        for (Handle handle : handles.values()) {
            if (handle.finishedAt == 0 && !stateOf(handle).isFinished()) {
                // its run_view route ends; its query does not
                handle.cancel();
            }
        }
        return left;
    }

    /**
     * Whether queries are left running at shutdown for other replicas ({@link #handOff}) rather than cancelled: where
     * the warehouse runs them on without this process, and a principal (who can take a query up elsewhere) waits for
     * one. Otherwise they are cancelled and their clients told so, as on a single server.
     */
    public boolean handsOffAtShutdown() {
        return warehouse.outlivesProcess() && handles.values().stream()
                .anyMatch(handle -> handle.owner.startsWith(PRINCIPAL) && handle.finishedAt == 0);
    }

    /** The application is stopping: the warehouse learns why queries are cancelled from now on. */
    public void stopping() {
        warehouse.stopping();
    }

    /** Forgets the finished query ids older than the retention, and the results nobody uses; returns how many ids. */
    public int evictExpired() {
        long cutoff = System.nanoTime() - resultRetention.toNanos();
        int[] evicted = {0};
        Instant wallNow = clock.instant();
        handles.values().removeIf(handle -> {
            boolean finished = handle.finishedAt != 0;
            if (finished && handle.finishedAt - cutoff < 0 || finished && !wallNow.isBefore(handle.expiresAt)) {
                release(handle);
                evicted[0]++;
                return true;
            }
            return false;
        });
        Instant now = clock.instant();
        exports.values().removeIf(export -> {
            if (now.isBefore(export.expiresAt)) {
                return false;
            }
            letGo(export.shared);
            return true;
        });
        for (Shared shared : held) {
            if (shared.users() == 0 && (current.get(shared.question) != shared
                                        || !shared.reusableAt(now, reuse.windowFor(shared.question.view())))) {
                drop(shared);
            }
        }
        // shared results outlive every id that can name them (a reused one is kept as long as its newest id)
        warehouse.sweep(statementTimeout.plus(resultRetention));
        if (evicted[0] > 0) {
            LOG.info("Evicted {} query ids older than {}", evicted[0], resultRetention);
        }
        return evicted[0];
    }

    /** Cancels every warehouse query still running, as at shutdown; returns how many. */
    public int cancelAll() {
        int cancelled = 0;
        for (Shared shared : held) {
            if (!shared.isFinished() && !sharedState(shared).isFinished()) {
                warehouse.cancel(shared.warehouseId);
                cancelled++;
            }
        }
        return cancelled;
    }

    /** The warehouse's own id of the query behind a query id (which names its stored result), or null. */
    public String warehouseIdOf(String queryId) {
        Handle handle = handles.get(queryId);
        return handle == null ? null : handle.shared.warehouseId;
    }

    /** How many warehouse queries are known and not yet finished. */
    public long inFlight() {
        return held.stream().filter(shared -> !shared.isFinished()).count();
    }

    /** Ends one id's use of its shared query: the last one out cancels a query in flight, or drops a stale result. */
    private void release(Handle handle) {
        if (handle.release()) {
            afterDetach(handle.shared);
        }
    }

    /** Ends an export's use of its shared query (a link expired, a download closed). */
    private void letGo(Shared shared) {
        shared.detach();
        afterDetach(shared);
    }

    /** After a use of a shared query ended: the last one out cancels a query in flight, or drops a stale result. */
    private void afterDetach(Shared shared) {
        current.computeIfPresent(shared.question, (q, existing) -> {
            if (existing == shared && shared.users() == 0 && !shared.isFinished()) {
                return null;
            }
            return existing;
        });
        if (shared.users() > 0) {
            return;
        }
        if (!shared.isFinished() && !sharedState(shared).isFinished()) {
            LOG.info("result={} view={}: nobody waits for it any more; cancelling it", shared.warehouseId,
                    shared.question.view());
            drop(shared);
        } else if (current.get(shared.question) != shared
                   || !shared.reusableAt(clock.instant(), reuse.windowFor(shared.question.view()))) {
            // nobody can reuse it: another result answers its question now, it has none, or its window has passed
            drop(shared);
        }
        // else: kept for reuse until its window has passed (evictExpired)
    }

    private void drop(Shared shared) {
        if (handingOff && !shared.isFinished()) {
            return; // left running in the warehouse for another replica
        }
        if (!shared.retire()) {
            return;
        }
        current.remove(shared.question, shared);
        held.remove(shared);
        warehouse.forget(shared.warehouseId);
    }

    private QueryState stateOf(Handle handle) {
        QueryState state = handle.isCancelled() ? QueryState.CANCELLED : sharedState(handle.shared);
        if (handle.adopted && state.isFinished() && handle.finishedAt == 0) {
            // no run_view route waits for a query taken up: its end is seen here
            handle.finishedAt = System.nanoTime();
        }
        return state;
    }

    /** The state of a shared query, enforcing the statement timeout; a final state is kept. */
    private QueryState sharedState(Shared shared) {
        QueryState known = shared.finalState;
        if (known != null) {
            return known;
        }
        WarehouseStatus status = warehouse.status(shared.warehouseId);
        QueryState state = status == null ? QueryState.CANCELLED : status.state();
        if (!state.isFinished() && shared.elapsedMs() > statementTimeout.toMillis()) {
            shared.timedOut = true;
            warehouse.cancel(shared.warehouseId);
            state = QueryState.CANCELLED;
        }
        if (state.isFinished()) {
            StoredResult result = state == QueryState.SUCCESS ? warehouse.result(shared.warehouseId) : null;
            shared.finish(state, status == null ? null : status.errorMessage(), result, clock.instant());
            if (state != QueryState.SUCCESS) {
                // a failed or cancelled query answers nobody who asks later
                current.remove(shared.question, shared);
            }
        }
        return state;
    }

    /**
     * The query id of an owner: one this replica holds, or, for a principal, a valid id another replica issued (or
     * this one before it restarted), taken up here. Anything else is unknown to the owner: a tampered, expired or
     * foreign id is answered exactly as an unknown one.
     */
    private Handle owned(String owner, String queryId) {
        Handle handle = queryId == null ? null : handles.get(queryId);
        if (handle == null) {
            handle = adoptHandle(owner, queryId);
        }
        if (handle == null || !handle.owner.equals(owner) || !clock.instant().isBefore(handle.expiresAt)) {
            throw new ApiException(ErrorCode.QUERY_NOT_FOUND, "No query of that id is known to this client.");
        }
        handle.orphaned = false;
        return handle;
    }

    private Handle adoptHandle(String owner, String queryId) {
        if (queryId == null || !owner.startsWith(PRINCIPAL)) {
            return null;
        }
        SignedIds.Opened opened = ids.open(SignedIds.Kind.QUERY, owner, queryId, clock.instant());
        if (opened == null) {
            return null;
        }
        Handle known = handles.get(queryId);
        if (known != null) {
            return known;
        }
        // taken up outside the lock (a copy may take a while), then recorded once
        Shared shared = adopt(opened.ref().toString());
        if (shared == null) {
            return null;
        }
        synchronized (adoptions) {
            known = handles.get(queryId);
            if (known != null) {
                letGo(shared);
                return known;
            }
            Handle handle = new Handle(queryId, owner, owner, shared, false, opened.expiresAt());
            handle.adopted = true;
            handles.put(queryId, handle);
            LOG.info("query={} view={} taken up on this replica, result={}", queryId, shared.question.view(),
                    shared.warehouseId);
            return handle;
        }
    }

    /**
     * The shared query of a warehouse id, attached for one more user: the one this replica holds, or one taken up from
     * the warehouse ({@link Warehouse#adopt}); null if the warehouse cannot take it up. A finished result that is being
     * copied into this replica's store (Snowflake's) is waited for, up to {@link #ADOPTION_WAIT}, outside the lock: one
     * slow copy holds up only those who asked for that result.
     */
    private Shared adopt(String warehouseId) {
        Shared adopted = null;
        synchronized (adoptions) {
            for (Shared shared : held) {
                if (shared.warehouseId.equals(warehouseId) && shared.attach()) {
                    adopted = shared;
                    break;
                }
            }
            if (adopted == null) {
                String view;
                try {
                    view = warehouse.adopt(warehouseId);
                } catch (WarehouseException e) {
                    return null;
                }
                if (view == null) {
                    return null;
                }
                adopted = new Shared(new Question(view.isEmpty() ? "RESULT" : view, "adopted:" + warehouseId,
                        null), warehouseId);
                adopted.attach();
                held.add(adopted);
                if (!sharedState(adopted).isFinished()) {
                    adopted.copying = warehouse.whenEnded(warehouseId).orElse(null);
                }
            }
        }
        CompletionStage<Void> copying = adopted.copying;
        if (copying != null) {
            try {
                copying.toCompletableFuture().get(ADOPTION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.debug("result={}: not copied within {}", warehouseId, ADOPTION_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return adopted;
    }

    /** How a {@code run_view} was answered, for the lifecycle log and the meters. */
    private enum How {
        FRESH("fresh", "how=fresh"), JOINED("shared", "how=joined"), REUSED("reused", "how=reused");

        final String meter;
        final String logged;

        How(String meter, String logged) {
            this.meter = meter;
            this.logged = logged;
        }
    }

    /** One warehouse query and its stored result, used by one or more query ids. */
    private static final class Shared {
        final Question question;
        final String warehouseId;
        final long startedAt = System.nanoTime();
        private int users;
        private boolean retired;
        volatile QueryState finalState;
        volatile boolean timedOut;
        private volatile String error;
        private volatile Instant computedAt;
        /** For a result taken up from another replica: its copy into this replica's store, while one is made. */
        volatile CompletionStage<Void> copying;

        Shared(Question question, String warehouseId) {
            this.question = question;
            this.warehouseId = warehouseId;
        }

        /** Adds a user; false if the result has been dropped already. */
        synchronized boolean attach() {
            if (retired) {
                return false;
            }
            users++;
            return true;
        }

        synchronized void detach() {
            users--;
        }

        synchronized int users() {
            return users;
        }

        /** Marks the result dropped, if nobody uses it; true the first time. */
        synchronized boolean retire() {
            if (retired || users > 0) {
                return false;
            }
            retired = true;
            return true;
        }

        boolean isFinished() {
            return finalState != null;
        }

        boolean succeeded() {
            return finalState == QueryState.SUCCESS;
        }

        synchronized void finish(QueryState state, String errorMessage, StoredResult result, Instant now) {
            if (finalState != null) {
                return;
            }
            error = errorMessage;
            computedAt = (result != null ? result.storedAt() : now).truncatedTo(ChronoUnit.MILLIS);
            finalState = state;
        }

        /** Whether this result may answer a request made at {@code asked}, under a reuse window. */
        boolean reusableAt(Instant asked, Duration window) {
            Instant computed = computedAt;
            return succeeded() && computed != null && !window.isZero()
                   && asked.isBefore(computed.plus(window));
        }

        Instant computedAt() {
            return computedAt;
        }

        String error() {
            return error == null ? "The query failed." : error;
        }

        long elapsedMs() {
            return (System.nanoTime() - startedAt) / 1_000_000;
        }
    }

    /** One client's query id: its owner, its connection, its progress, attached to a shared query. */
    private final class Handle {
        final String id;
        final String owner;
        /** The connection that waits for it; its owner once that connection closed or when taken up here. */
        volatile String connection;
        final Shared shared;
        final boolean wantsProgress;
        final Instant expiresAt;
        final long startedAt = System.nanoTime();
        /** Taken up from another replica (or from before this one restarted): no run_view route waits for it. */
        volatile boolean adopted;
        /** Its connection closed while it ran; its principal has not taken it up again yet. */
        volatile boolean orphaned;
        /** Completed when this client cancels, or gives up the query when its connection closes. */
        final CompletableFuture<Void> cancelled = new CompletableFuture<>();
        long lastProgressAt = startedAt;
        volatile long finishedAt;
        /** How it ended (SUCCESS, FAILED, CANCELLED, TIMEOUT), once it has. */
        volatile String outcome;
        volatile boolean seenRunning;
        private boolean released;

        Handle(String id, String owner, String connection, Shared shared, boolean wantsProgress, Instant expiresAt) {
            this.id = id;
            this.expiresAt = expiresAt;
            this.owner = owner;
            this.connection = connection;
            this.shared = shared;
            this.wantsProgress = wantsProgress;
        }

        long elapsedMs() {
            long end = finishedAt != 0 ? finishedAt : System.nanoTime();
            return (end - startedAt) / 1_000_000;
        }

        boolean isCancelled() {
            return cancelled.isDone();
        }

        void cancel() {
            cancelled.complete(null);
        }

        /** Gives up this id's use of its shared query; true the first time. */
        synchronized boolean release() {
            if (released) {
                return false;
            }
            released = true;
            shared.detach();
            return true;
        }

        synchronized boolean progressDue() {
            long now = System.nanoTime();
            if (wantsProgress && now - lastProgressAt >= PROGRESS_INTERVAL_NANOS) {
                lastProgressAt = now;
                return true;
            }
            return false;
        }

        synchronized void finished(QueryState state) {
            if (finishedAt == 0) {
                finishedAt = System.nanoTime();
                String outcome = shared.timedOut && !isCancelled() ? "TIMEOUT" : state.name();
                this.outcome = outcome;
                LOG.info("query={} view={} state={} duration_ms={} trace_id={}", id, shared.question.view(), outcome,
                        elapsedMs(), TraceTags.traceId());
                metrics.queryFinished(switch (outcome) {
                    case "SUCCESS" -> "succeeded";
                    case "FAILED" -> "failed";
                    case "TIMEOUT" -> "timeout";
                    default -> "cancelled";
                });
            }
        }
    }
}
