package io.warehouseapi.query;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.model.Owner;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.warehouse.Results;
import io.warehouseapi.warehouse.WarehouseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Export links: bearer tokens signed for a result, its format and an expiry ({@link SignedIds}), each keeping its
 * result while it is valid; at most {@code api.export.max-links-per-client} unexpired ones per owner. A link another
 * replica issued is opened by taking its result up here ({@link Adoption}).
 */
final class ExportLinks {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
    /** When a result was computed, in an export's file name. */
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final Results results;
    private final SharedQueries queries;
    private final Adoption adoption;
    private final SignedIds ids;
    private final Clock clock;
    private final ApiMetrics metrics;
    /** Links by token, until they expire. */
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    private volatile int maxPerOwner = ClientLimits.DEFAULTS.linksPerClient();

    ExportLinks(Results results, SharedQueries queries, Adoption adoption, SignedIds ids, Clock clock,
                ApiMetrics metrics) {
        this.results = results;
        this.queries = queries;
        this.adoption = adoption;
        this.ids = ids;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** An issued link: the result it keeps, its format, its expiry, the id it came from and who asked for it. */
    private record Link(SharedQuery shared, ExportFormat format, Instant expiresAt, String queryId, Owner owner) {
    }

    void keepPerOwner(int max) {
        this.maxPerOwner = max;
    }

    int maxPerOwner() {
        return maxPerOwner;
    }

    /** How many unexpired links an owner holds. */
    long heldBy(Owner owner) {
        Instant now = clock.instant();
        return links.values().stream().filter(link -> owner.equals(link.owner) && now.isBefore(link.expiresAt))
                .count();
    }

    /** A new link to the succeeded result of a query id, valid for {@code ttl}; null if the result was dropped. */
    ExportLink issue(QueryHandle handle, ExportFormat format, Duration ttl) {
        SharedQuery shared = handle.shared;
        Instant now = clock.instant();
        if (!shared.attach()) {
            return null;
        }
        Instant expiresAt = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        results.reused(shared.warehouseId);
        // a bearer link: signed for its format and result, owned by nobody
        String token = ids.issue(SignedIds.Kind.EXPORT, format.wireName(), SignedIds.ref(shared.warehouseId),
                expiresAt);
        links.put(token, new Link(shared, format, expiresAt, handle.id, handle.owner));
        LOG.info("query={} view={} export={} expires_at={}", handle.id, shared.question.view(), format.wireName(),
                expiresAt);
        return new ExportLink(handle.id, format.wireName(), "/exports/" + token, expiresAt);
    }

    /** Whether a token is one this replica issued or one signed under a listed key: a map and a signature. */
    boolean mayBe(String token) {
        if (token == null) {
            return false;
        }
        if (links.containsKey(token)) {
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
     * The download behind a token, or null for a token never issued, expired, or whose result is gone. The result is
     * kept until the download is closed.
     */
    Download open(String token) {
        Link link = token == null ? null : links.get(token);
        if (link == null) {
            link = foreign(token);
        } else if (!clock.instant().isBefore(link.expiresAt) || !link.shared.attach()) {
            return null;
        }
        if (link == null) {
            return null;
        }
        SharedQuery shared = link.shared;
        InputStream stream;
        try {
            stream = results.export(shared.warehouseId, link.format, () -> queries.letGo(shared));
        } catch (WarehouseException e) {
            stream = null;
        }
        if (stream == null) {
            queries.letGo(shared);
            return null;
        }
        metrics.export(link.format.wireName());
        LOG.info("query={} view={} export={} download started", link.queryId, shared.question.view(),
                link.format.wireName());
        return new Download(stream, link.format, fileName(shared, link.format), link.owner, link.queryId);
    }

    /**
     * A link another replica issued (or this one, under another of the listed keys): opened if it is valid, and its
     * result taken up here if it succeeded, attached once for the caller; else null.
     */
    private Link foreign(String token) {
        if (token == null) {
            return null;
        }
        Instant now = clock.instant();
        for (ExportFormat format : ExportFormat.values()) {
            SignedIds.Opened opened = ids.open(SignedIds.Kind.EXPORT, format.wireName(), token, now);
            if (opened != null) {
                SharedQuery shared = adoption.result(opened.ref().toString());
                if (shared == null) {
                    return null;
                }
                if (queries.state(shared) != QueryState.SUCCESS) {
                    queries.letGo(shared);
                    return null;
                }
                return new Link(shared, format, opened.expiresAt(), "-", null);
            }
        }
        return null;
    }

    /** A download's file name: the view and when its result was computed, such as TRIP_WEATHER_VW-20180601T000000Z.csv */
    private static String fileName(SharedQuery shared, ExportFormat format) {
        String view = shared.question.view().replaceAll("[^A-Za-z0-9_.-]", "_");
        return view + "-" + FILE_TIME.format(shared.computedAt()) + "." + format.extension();
    }

    /** Forgets the expired links, letting their results go. */
    void sweep(Instant now) {
        links.values().removeIf(link -> {
            if (now.isBefore(link.expiresAt)) {
                return false;
            }
            queries.letGo(link.shared);
            return true;
        });
    }

    int size() {
        return links.size();
    }
}
