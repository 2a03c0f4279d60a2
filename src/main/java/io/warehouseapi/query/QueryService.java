package io.warehouseapi.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;

import io.warehouseapi.api.ApiRequest;
import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.model.ExposedView;
import io.warehouseapi.model.Identifiers;
import io.warehouseapi.model.Owner;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.question.QuestionException;
import io.warehouseapi.question.Scope;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.Page;
import io.warehouseapi.warehouse.Results;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query lifecycle as the routes call it, whichever warehouse runs the queries: a facade over its parts.
 * <p>
 * Two layers. A <em>shared query</em> is one warehouse query and its one stored result, for one question (a view as
 * currently defined); {@link SharedQueries} decides when a {@code run_view} joins one in flight, reuses a finished one
 * within the view's reuse window, or starts a fresh one, and when it is cancelled or dropped. A <em>query id</em> is
 * what one client holds ({@link QueryIds}): its own id, owner, progress and replies, attached to a shared query,
 * usable only by its owner (its connection, or with authentication its principal, on any connection); to anyone else
 * it does not exist. {@link Polling} follows a query to its end, {@link ExportLinks} issues and opens export links,
 * {@link Adoption} takes up ids and links another replica issued, {@link ShutdownHandOff} decides what runs on at
 * shutdown. A failure is a {@link QueryFailure} in the query layer's own terms, worded for the client
 * ({@link Failures}); the reply layer maps it to the protocol's error codes.
 * <p>
 * Query ids and export links are signed ({@link SignedIds}): they name the warehouse's own id of their result, their
 * owner and their expiry, so that any replica holding the same keys can check one it did not issue and take its
 * query up ({@link Warehouse#adopt}). Only ids of principals (with authentication) travel so; without it an id stays
 * bound to the connection that started it.
 */
public class QueryService {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    private final Warehouse warehouse;
    private final Results results;
    private final Duration statementTimeout;
    private final Duration resultRetention;
    private final ApiMetrics metrics;
    private final int maxPerOwner;
    private volatile int maxPerPrincipal = ClientLimits.DEFAULTS.runningPerPrincipal();
    private final SignedIds ids;
    private final Clock clock;
    private final SharedQueries queries;
    private final QueryIds handles;
    private final Polling polling;
    private final GrowingPages growingPages;
    private final Adoption adoption;
    private final ExportLinks links;
    private final ShutdownHandOff shutdown;
    private final ScheduledExecutorService pollTimer;

    /**
     * @param maxPerOwner  queries one connection may have running ({@code api.max-queries-per-connection})
     * @param pollTimer    the threads on which a {@code run_view} waits between polls and then goes on (no thread is
     *                     held while it waits)
     * @param resumeGrace  how long a principal's running query outlives its connection
     * @param clock        the wall clock of ids' and links' expiry and of reuse windows
     */
    public QueryService(Warehouse warehouse, Duration statementTimeout, Duration resultRetention,
                        int maxPerOwner, ApiMetrics metrics, ScheduledExecutorService pollTimer, SignedIds ids,
                        Duration resumeGrace, Clock clock) {
        this.warehouse = warehouse;
        this.results = warehouse.results();
        this.statementTimeout = statementTimeout;
        this.resultRetention = resultRetention;
        this.maxPerOwner = maxPerOwner;
        this.metrics = metrics;
        this.ids = ids;
        this.clock = clock;
        this.pollTimer = pollTimer;
        this.queries = new SharedQueries(warehouse, results, statementTimeout, clock);
        this.handles = new QueryIds(queries, clock, resultRetention, resumeGrace, pollTimer);
        this.growingPages = new GrowingPages(handles, results, pollTimer, clock);
        this.polling = new Polling(handles, warehouse, results, pollTimer, metrics, growingPages);
        this.adoption = new Adoption(warehouse, queries, handles, ids, clock, metrics);
        this.links = new ExportLinks(results, queries, adoption, ids, clock, metrics);
        this.shutdown = new ShutdownHandOff(warehouse, queries, handles);
        metrics.gauge("warehouse_api_queries_in_flight", "Warehouse queries submitted and not yet ended",
                this::inFlight);
        metrics.gauge("warehouse_api_results_shared", "Stored results held for query ids or for reuse",
                queries::heldCount);
        metrics.gauge("warehouse_api_query_ids", "Query ids this replica holds (running and finished)",
                handles::size);
        metrics.gauge("warehouse_api_export_links", "Export links this replica issued that have not been swept",
                links::size);
    }

    /**
     * Tells this service which connections are still open (the transport's view of them), so that a {@code run_view}
     * that waited in its queue while its connection closed is not left running for nobody.
     */
    public void connectionsOpen(Predicate<String> isOpen) {
        handles.connectionsOpen(isOpen);
    }

    /**
     * Whether a result stored as it arrives sends its first page as soon as its rows are stored, before the whole
     * result is ({@code results.first-page-early}); else every first page waits for the whole result.
     */
    public void firstPageEarly(boolean early) {
        polling.firstPageEarly = early;
    }

    /** What one client may hold from now on (the settings, checked when the limits were made). */
    public void limit(ClientLimits limits) {
        handles.keepFinished(limits.idsPerClient());
        handles.keepResults(limits.resultsPerClient());
        links.keepPerOwner(limits.linksPerClient());
        this.maxPerPrincipal = limits.runningPerPrincipal();
    }

    /**
     * Answers a {@code run_view}: joins an identical query in flight, reuses an identical finished result within the
     * view's reuse window, or starts the question's query; returns the client's new query id.
     *
     * @param owner       who may use the query id (see {@code Sessions.owner})
     * @param connection  the connection that asked, which waits for the first page
     * @param reuseWindow {@code results.reuse-window}, passed by the route so that a change is live on reload
     * @param perView     {@code results.reuse-window.views}, likewise
     */
    public String submit(Owner owner, String connection, ApiRequest request, String reuseWindow, String perView) {
        return submit(owner, connection, request, Scope.EVERYTHING, reuseWindow, perView);
    }

    /**
     * Answers a {@code run_view} within what a scope grants: a view it does not grant does not exist, a column it does
     * not grant is unknown, and its rows filter is ANDed with the client's; identical narrowed questions share.
     */
    public String submit(Owner owner, String connection, ApiRequest request, Scope scope, String reuseWindow,
                         String perView) {
        try {
            return start(owner, connection, request, scope, reuseWindow, perView);
        } catch (WarehouseException e) {
            throw Failures.refused(e, null);
        }
    }

    private String start(Owner owner, String connection, ApiRequest request, Scope scope, String reuseWindow,
                         String perView) {
        if (!warehouse.isAvailable()) {
            throw Failures.unavailable(null);
        }
        ReusePolicy policy = queries.reusePolicy(reuseWindow, perView);
        ExposedView view = findView(request.viewName());
        Scope.Access access = scope.of(view);
        if (access == null) {
            throw Failures.noSuchView();
        }
        long running = handles.runningOn(connection, owner);
        if (running >= maxPerOwner) {
            throw Failures.tooManyRunning(running);
        }
        if (owner.isPrincipal()) {
            long ofPrincipal = handles.runningOf(owner);
            if (ofPrincipal >= maxPerPrincipal) {
                throw Failures.tooManyRunningForPrincipal(ofPrincipal);
            }
        }
        Scope.Tenant tenant = scope.tenant();
        if (tenant != null) {
            long ofTenant = handles.runningOfTenant(tenant.name());
            if (ofTenant >= tenant.maxQueries()) {
                throw Failures.tooManyRunningForTenant(ofTenant);
            }
        }
        Selection selection;
        try {
            selection = access.narrow(request.ask().resolve(access.visible()));
        } catch (QuestionException e) {
            throw Failures.badQuestion(e.getMessage(), request.requestId());
        }
        Question question = new Question(view.name(), warehouse.currentDefinition(view), selection);
        Instant asked = clock.instant();
        SharedQueries.Answer answer = queries.ask(question, selection, request.fresh(), asked,
                policy.windowFor(view.name()), tenant == null ? "" : tenant.name());
        How how = answer.how();
        SharedQuery shared = answer.shared();
        if (how == How.FRESH) {
            metrics.queryStarted();
        }
        metrics.runView(how.meter);
        if (how == How.REUSED) {
            results.reused(shared.warehouseId);
        }
        // an id outlives the result it names on every replica: the longest its query may run, then the retention;
        // never longer than the warehouse keeps the result (any replica may have to read it from there)
        Instant expiresAt = asked.plus(statementTimeout).plus(resultRetention);
        Duration lifetime = warehouse.resultLifetime();
        if (lifetime != null && expiresAt.isAfter(asked.plus(lifetime))) {
            expiresAt = asked.plus(lifetime);
        }
        String queryId = ids.issue(SignedIds.Kind.QUERY, owner.key(), SignedIds.ref(shared.warehouseId), expiresAt);
        QueryHandle handle = new QueryHandle(queryId, owner, connection, shared, request.hasRequestId(), expiresAt,
                metrics);
        handle.tenant = tenant == null ? null : tenant.name();
        handle.firstPageSize = request.pageSize();
        handles.add(handle);
        TraceTags.query(view.name(), queryId, owner, how.meter);
        LOG.info("query={} view={} state=QUEUED result={} {} trace_id={}", queryId, view.name(), shared.warehouseId,
                how.logged, TraceTags.traceId());
        return queryId;
    }

    private ExposedView findView(String name) {
        for (ExposedView view : warehouse.views()) {
            if (Identifiers.equalsIgnoreAsciiCase(view.name(), name)) {
                return view;
            }
        }
        throw Failures.noSuchView();
    }

    /** The exposed views, for {@code list_views}. */
    public List<ExposedView> views() {
        return views(Scope.EVERYTHING);
    }

    /** The exposed views a scope grants, each with only its granted columns, for {@code list_views}. */
    public List<ExposedView> views(Scope scope) {
        List<ExposedView> all;
        try {
            all = warehouse.views();
        } catch (WarehouseException e) {
            throw Failures.refused(e, null);
        }
        if (scope == Scope.EVERYTHING) {
            return all;
        }
        List<ExposedView> visible = new java.util.ArrayList<>();
        for (ExposedView view : all) {
            Scope.Access access = scope.of(view);
            if (access != null) {
                visible.add(access.visible());
            }
        }
        return visible;
    }

    /** One poll of a query that a {@code run_view} started, enforcing the statement timeout. */
    public QueryProgress poll(String queryId) {
        return polling.poll(queryId);
    }

    /**
     * The next poll of a query, after the given delay or as soon as the warehouse says the query has ended (or its
     * client cancelled it), whichever comes first: a result is never kept waiting for the rest of a delay.
     * Asynchronous: the route goes on, on a poll-timer thread, when the returned stage completes.
     */
    public CompletableFuture<QueryProgress> awaitPoll(String queryId, long delayMs) {
        return polling.next(queryId, delayMs);
    }

    /** The first page of a query that a {@code run_view} started and polled to its end. */
    public ResultPage firstPage(String queryId, ApiRequest request) {
        QueryHandle handle = handles.get(queryId);
        if (handle == null) {
            throw Failures.cancelled(queryId);
        }
        TraceTags.outcome(queryId, handle.outcome);
        ResultPage page = page(handle, 0, request.pageSize());
        metrics.firstPage(System.nanoTime() - handle.startedAt, page.page().rowCount());
        TraceTags.page(handle.view(), queryId, 0, page.page().rowCount());
        return page;
    }

    /**
     * After a first page sent while the rest of its result was stored ({@link QueryProgress#firstPageSent}): the
     * whole result's size, once its query succeeded; else the error reply its state calls for.
     */
    public Completion completed(String queryId) {
        QueryHandle handle = handles.get(queryId);
        if (handle == null) {
            throw Failures.cancelled(queryId);
        }
        TraceTags.outcome(queryId, handle.outcome);
        SharedQuery shared = requireSucceeded(handle);
        long total;
        try {
            total = results.totalRows(shared.warehouseId);
        } catch (WarehouseException e) {
            throw Failures.refused(e, handle.id);
        }
        if (total < 0) {
            throw Failures.unknownQuery(handle.id);
        }
        return new Completion(handle.id, total);
    }

    /** A result stored whole, after its first page went ahead of it: the {@code complete} message's content. */
    public record Completion(String queryId, long totalRows) {
    }

    /**
     * A page of a query's result, for {@code fetch_results}: of a finished query; or, while its result is still being
     * stored, once the page's rows are (or once the result is whole and shorter, or its query ended). No thread waits
     * meanwhile: the route goes on when the returned stage completes.
     */
    public CompletableFuture<ResultPage> readPage(Owner owner, ApiRequest request) {
        long started = System.nanoTime();
        QueryHandle handle = owned(owner, request.queryId());
        return growingPages.once(handle, request.offset(), request.pageSize(),
                        () -> page(handle, request.offset(), request.pageSize()))
                .thenApply(TraceTags.inCurrentTrace(page -> {
                    metrics.page(System.nanoTime() - started, page.page().rowCount());
                    TraceTags.page(handle.view(), handle.id, request.offset(), page.page().rowCount());
                    return page;
                }));
    }

    private ResultPage page(QueryHandle handle, long offset, int pageSize) {
        SharedQuery shared = requireSucceeded(handle);
        Page page;
        try {
            page = results.readPage(shared.warehouseId, offset, pageSize);
        } catch (WarehouseException e) {
            throw Failures.refused(e, handle.id);
        }
        if (page == null) {
            throw Failures.unknownQuery(handle.id);
        }
        return new ResultPage(handle.id, shared.computedAt(), page);
    }

    /** The shared query of an id whose query succeeded; else the error reply its state calls for. */
    private SharedQuery requireSucceeded(QueryHandle handle) {
        QueryState state = handles.stateOf(handle);
        if (state != QueryState.SUCCESS) {
            throw Failures.notSucceeded(handle.id, state, handle.shared, handle.isCancelled(),
                    statementTimeout);
        }
        return handle.shared;
    }

    /**
     * A link to download the whole result of a finished query of the caller's, for {@code export}: a new token,
     * valid for {@code linkTtl} ({@code api.export.link-ttl}, passed by the route), which keeps the result while it
     * is valid. The token is signed for the result, its format and its expiry, and carries nothing else; it is
     * checked only by {@link #openExport}, on any replica that holds the keys.
     */
    public ExportLink export(Owner owner, ApiRequest request, String linkTtl) {
        QueryHandle handle = owned(owner, request.queryId());
        SharedQuery shared = requireSucceeded(handle);
        boolean stored;
        try {
            stored = results.result(shared.warehouseId) != null;
        } catch (WarehouseException e) {
            throw Failures.refused(e, handle.id);
        }
        if (!stored) {
            throw Failures.tooLargeToExport(request.requestId());
        }
        long held = links.heldBy(owner);
        if (held >= links.maxPerOwner()) {
            throw Failures.tooManyLinks(held, handle.id, request.requestId());
        }
        ExportLink link = links.issue(handle, ExportFormat.fromWire(request.format()), Duration.parse(linkTtl));
        if (link == null) {
            throw Failures.unknownQuery(null);
        }
        return link;
    }

    /**
     * Whether a token is an export link's that this replica issued or one signed under a listed key, without opening
     * it: a quick check (a map and a signature) that turns away made-up tokens before any thread waits on them.
     */
    public boolean mayBeExport(String token) {
        return links.mayBe(token);
    }

    /**
     * The download behind an export link's token, or null for a token never issued, expired, or whose result is
     * gone. The result is kept until the download is closed. May wait for a result another replica computed: call it
     * off the event loop.
     */
    public Download openExport(String token) {
        return links.open(token);
    }

    /**
     * Cancels a query for {@code cancel}: ends this client's interest in it; the warehouse query stops when nobody
     * waits for it any more. A query that already ended is left as it is.
     */
    public CancelOutcome cancel(Owner owner, ApiRequest request) {
        QueryHandle handle = owned(owner, request.queryId());
        QueryState state = handles.stateOf(handle);
        if (state.isFinished()) {
            return new CancelOutcome(handle.id, false, state);
        }
        handle.giveUp();
        handles.release(handle);
        return new CancelOutcome(handle.id, true, QueryState.CANCELLED);
    }

    /** The state of a query. */
    public QueryState state(Owner owner, ApiRequest request) {
        return handles.stateOf(owned(owner, request.queryId()));
    }

    /**
     * The state of a query, for {@code query_status}, with how many rows of its result are stored while it runs and
     * the rest is still being stored.
     */
    public Status status(Owner owner, ApiRequest request) {
        QueryHandle handle = owned(owner, request.queryId());
        QueryState state = handles.stateOf(handle);
        long stored = state == QueryState.RUNNING ? results.storedRows(handle.shared.warehouseId) : -1;
        return new Status(request.queryId(), state, stored);
    }

    /** A query's state; {@code rowsStored} -1 unless its result is being stored as it arrives. */
    public record Status(String queryId, QueryState state, long rowsStored) {
    }

    /**
     * The query id of an owner: one this replica holds, or, for a principal, a valid id another replica issued (or
     * this one before it restarted), taken up here. Anything else is unknown to the owner: a tampered, expired or
     * foreign id is answered exactly as an unknown one.
     */
    private QueryHandle owned(Owner owner, String queryId) {
        QueryHandle handle = handles.get(queryId);
        if (handle == null) {
            handle = adoption.queryId(owner, queryId);
        }
        if (handle == null || !handle.owner.equals(owner) || !clock.instant().isBefore(handle.expiresAt)) {
            throw Failures.unknownQuery(null);
        }
        handle.orphaned = false;
        return handle;
    }

    /**
     * A connection has gone: the queries it started and still waited for are given up (and cancelled in the warehouse
     * when nobody else waits for them), and its finished ones are forgotten when the connection was their owner.
     * With authentication, finished results stay readable by their principal from its other connections until they
     * expire, and running ones for the resume grace.
     */
    public void release(String connection) {
        handles.release(connection);
    }

    /**
     * At shutdown, where the warehouse runs queries on without this process (Snowflake): leaves every query a
     * principal waits for running in the warehouse, for the replica its client reaches next to take up, cancels the
     * others, and ends this process's own waiting for all of them. Call once connections are closed. Returns how many
     * queries were left running.
     */
    public int handOff() {
        return shutdown.handOff();
    }

    /** Whether queries are left running at shutdown for other replicas ({@link #handOff}) rather than cancelled. */
    public boolean handsOffAtShutdown() {
        return shutdown.handsOff();
    }

    /** The application is stopping: the warehouse learns why queries are cancelled from now on. */
    public void stopping() {
        warehouse.stopping();
    }

    /** Cancels every warehouse query still running, as at shutdown; returns how many. */
    public int cancelAll() {
        return shutdown.cancelAll();
    }

    /** Forgets the finished query ids older than the retention, and the results nobody uses; returns how many ids. */
    public int evictExpired() {
        int evicted = handles.evictExpired();
        Instant now = clock.instant();
        links.sweep(now);
        queries.sweep(now);
        // shared results outlive every id that can name them (a reused one is kept as long as its newest id)
        results.sweep(statementTimeout.plus(resultRetention));
        if (evicted > 0) {
            LOG.info("Evicted {} query ids older than {}", evicted, resultRetention);
        }
        return evicted;
    }

    /** The warehouse's own id of the query behind a query id (which names its stored result), or null. */
    public String warehouseIdOf(String queryId) {
        QueryHandle handle = handles.get(queryId);
        return handle == null ? null : handle.shared.warehouseId;
    }

    /** How many warehouse queries are known and not yet finished. */
    public long inFlight() {
        return queries.inFlight();
    }
}
