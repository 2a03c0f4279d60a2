package io.warehouseapi.query;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warehouseapi.MutableClock;
import io.warehouseapi.api.ApiRequest;
import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.model.Owner;
import io.warehouseapi.model.QueryState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.warehouseapi.query.Asking.about;
import static io.warehouseapi.query.Asking.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The query service's rules, without Camel: sharing and reuse, ownership, the expiry of ids and links, the bounds of
 * what one client holds, and a connection that closed before its query was submitted; on a warehouse in memory whose
 * queries end when the test says, and a clock that moves when the test says.
 */
class QueryRulesTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(30);
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final String WINDOW = "PT1M";
    private static final Owner ANA = Owner.ofPrincipal("ana");
    private static final Owner BOB = Owner.ofPrincipal("bob");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
    private final InMemoryWarehouse warehouse = new InMemoryWarehouse(clock);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final QueryService queries = new QueryService(warehouse, TIMEOUT, RETENTION, 16,
            new ApiMetrics(new SimpleMeterRegistry()), timer, SignedIds.of(List.of()), Duration.ZERO, clock);

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /** A run_view of a connection without authentication: the connection owns its ids. */
    private String runView(String connection, String extra) {
        return runView(Owner.ofConnection(connection), connection, extra);
    }

    private String runView(Owner owner, String connection, String extra) {
        return queries.submit(owner, connection,
                Asking.runView(extra), WINDOW, "");
    }

    /** Ends the n-th warehouse query with 10 rows and lets the query service see it through the id's poll. */
    private void succeed(int n, String queryId) {
        warehouse.succeed(warehouse.queryId(n), 10);
        assertThat(queries.poll(queryId).state()).isEqualTo(QueryState.SUCCESS);
    }

    @Test
    void identical_questions_in_flight_share_one_warehouse_query_and_each_gets_its_own_id() {
        String first = runView("c1", "");
        String second = runView("c2", ",\"request_id\":\"r\"");
        String other = runView("c3", ",\"columns\":[\"id\"]");

        assertThat(warehouse.submitted).hasSize(2);
        assertThat(first).isNotEqualTo(second);
        assertThat(queries.warehouseIdOf(first)).isEqualTo(queries.warehouseIdOf(second))
                .isNotEqualTo(queries.warehouseIdOf(other));
    }

    @Test
    void a_finished_result_is_reused_within_its_window_unless_fresh_and_not_after_it() {
        String first = runView("c1", "");
        succeed(0, first);

        clock.advance(Duration.ofSeconds(59));
        runView("c2", "");
        assertThat(warehouse.submitted).as("reused within the minute").hasSize(1);
        runView("c3", ",\"fresh\":true");
        assertThat(warehouse.submitted).as("fresh asks the warehouse again").hasSize(2);
        succeed(1, queries.submit(Owner.ofConnection("c4"), "c4", Asking.runView(""), WINDOW, ""));

        clock.advance(Duration.ofSeconds(61));
        runView("c5", "");
        assertThat(warehouse.submitted).as("the newest result's window has passed").hasSize(3);
    }

    @Test
    void an_id_never_outlives_the_result_the_warehouse_keeps() {
        warehouse.resultLifetime = Duration.ofHours(24);
        String id = runView(ANA, "c1", "");
        succeed(0, id);
        // the retention (24 h) after the longest run (30 min) would outlive Snowflake's 24 hours
        clock.advance(Duration.ofHours(24).minusSeconds(1));
        assertThat(queries.readPage(ANA, about("fetch_results", id, "")).join().page().rowCount()).isEqualTo(10);
        clock.advance(Duration.ofSeconds(1));
        assertThat(failureOf(() -> queries.readPage(ANA, about("fetch_results", id, ""))))
                .isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);
    }

    @Test
    void a_query_id_is_its_owners_alone_and_expires_after_the_timeout_and_the_retention() {
        String id = runView(ANA, "c1", "");
        succeed(0, id);

        assertThat(queries.state(ANA, about("query_status", id, ""))).isEqualTo(QueryState.SUCCESS);
        assertThat(failureOf(() -> queries.state(BOB, about("query_status", id, ""))))
                .isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);
        assertThat(failureOf(() -> queries.readPage(Owner.ofConnection("c1"), about("fetch_results", id, ""))))
                .isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);

        clock.advance(TIMEOUT.plus(RETENTION).minusSeconds(1));
        assertThat(queries.readPage(ANA, about("fetch_results", id, "")).join().page().rowCount()).isEqualTo(10);
        clock.advance(Duration.ofSeconds(1));
        assertThat(failureOf(() -> queries.readPage(ANA, about("fetch_results", id, ""))))
                .isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);
    }

    @Test
    void a_client_keeps_its_newest_finished_ids_and_lets_the_oldest_go() {
        queries.limit(ClientLimits.DEFAULTS.withIdsPerClient(2));
        String[] ids = new String[3];
        for (int i = 0; i < 3; i++) {
            ids[i] = runView("c1", ",\"fresh\":true");
            succeed(i, ids[i]);
        }

        assertThat(failureOf(() -> queries.state(Owner.ofConnection("c1"), about("query_status", ids[0], ""))))
                .isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);
        assertThat(queries.state(Owner.ofConnection("c1"), about("query_status", ids[1], ""))).isEqualTo(QueryState.SUCCESS);
        assertThat(queries.state(Owner.ofConnection("c1"), about("query_status", ids[2], ""))).isEqualTo(QueryState.SUCCESS);
        // another client's ids are not counted against this one
        String theirs = runView("c2", ",\"fresh\":true");
        succeed(3, theirs);
        assertThat(queries.state(Owner.ofConnection("c1"), about("query_status", ids[1], ""))).isEqualTo(QueryState.SUCCESS);
    }

    @Test
    void a_clients_finished_ids_name_at_most_its_results_and_reused_ones_count_once() {
        queries.limit(ClientLimits.DEFAULTS.withResultsPerClient(2));
        Owner c1 = Owner.ofConnection("c1");
        String[] fresh = new String[3];
        for (int i = 0; i < 3; i++) {
            // three questions, three results
            fresh[i] = runView("c1", idsAbove(i));
            succeed(i, fresh[i]);
        }
        assertThat(failureOf(() -> queries.state(c1, about("query_status", fresh[0], ""))))
                .as("the oldest, beyond two results").isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);

        // many ids reusing the newest result hold it once: the other result stays too
        String[] reused = new String[5];
        for (int i = 0; i < 5; i++) {
            reused[i] = runView("c1", idsAbove(2));
            assertThat(queries.poll(reused[i]).state()).isEqualTo(QueryState.SUCCESS);
        }
        assertThat(warehouse.submitted).hasSize(3);
        assertThat(queries.state(c1, about("query_status", fresh[1], ""))).isEqualTo(QueryState.SUCCESS);
        assertThat(queries.state(c1, about("query_status", reused[0], ""))).isEqualTo(QueryState.SUCCESS);

        clock.advance(Duration.ofMinutes(1));
        queries.evictExpired();
        assertThat(warehouse.forgotten).as("once past its reuse window, only the result no id holds is dropped")
                .containsExactly(warehouse.queryId(0));
    }

    private static String idsAbove(int value) {
        return ",\"columns\":[\"id\"],\"filters\":{\"column\":\"id\",\"op\":\"gt\",\"value\":" + value + "}";
    }

    @Test
    void a_principal_runs_at_most_its_queries_across_its_connections_and_others_are_served() {
        queries.limit(ClientLimits.DEFAULTS.withRunningPerPrincipal(2));
        String first = runView(ANA, "c1", idsAbove(0));
        runView(ANA, "c2", idsAbove(1));

        assertThat(failureOf(() -> runView(ANA, "c3", idsAbove(2)))).isEqualTo(QueryFailure.Kind.LIMIT_REACHED);
        assertThat(runView(BOB, "c4", idsAbove(2))).as("another principal").isNotNull();
        succeed(0, first);
        assertThat(runView(ANA, "c3", idsAbove(3))).as("once one has ended").isNotNull();
    }

    @Test
    void a_client_holds_at_most_its_export_links_until_they_expire() {
        queries.limit(ClientLimits.DEFAULTS.withLinksPerClient(1));
        String id = runView("c1", "");
        succeed(0, id);
        ApiRequest export = about("export", id, ",\"format\":\"csv\"");

        ExportLink link = queries.export(Owner.ofConnection("c1"), export, "PT5M");
        assertThat(link.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThatThrownBy(() -> queries.export(Owner.ofConnection("c1"), export, "PT5M")).isInstanceOf(QueryFailure.class)
                .hasMessageContaining("api.export.max-links-per-client")
                .extracting(e -> ((QueryFailure) e).kind()).isEqualTo(QueryFailure.Kind.LIMIT_REACHED);

        clock.advance(Duration.ofMinutes(5));
        String token = link.url().substring(link.url().lastIndexOf('/') + 1);
        assertThat(queries.openExport(token)).as("an expired link").isNull();
        assertThat(queries.export(Owner.ofConnection("c1"), export, "PT5M").url()).startsWith("/exports/");
    }

    @Test
    void a_query_whose_connection_closed_before_its_submit_is_cancelled_at_once() {
        queries.connectionsOpen(connection -> false);
        String id = runView("c1", "");

        assertThat(queries.poll(id).state()).isEqualTo(QueryState.CANCELLED);
        assertThat(warehouse.cancelled).containsExactly(warehouse.queryId(0));
        assertThat(queries.inFlight()).isZero();
    }

    @Test
    void a_shared_query_runs_on_while_anyone_waits_and_is_cancelled_when_the_last_one_goes() {
        runView("c1", "");
        runView("c2", "");

        queries.release("c1");
        assertThat(warehouse.cancelled).isEmpty();
        queries.release("c2");
        assertThat(warehouse.cancelled).containsExactly(warehouse.queryId(0));
    }

    @Test
    void a_limit_below_one_is_refused_naming_its_setting() {
        assertThatThrownBy(() -> ClientLimits.DEFAULTS.withIdsPerClient(0))
                .hasMessage("results.max-ids-per-client must be at least 1, not 0");
        assertThatThrownBy(() -> ClientLimits.DEFAULTS.withResultsPerClient(-1))
                .hasMessageContaining("results.max-results-per-client");
        assertThatThrownBy(() -> ClientLimits.DEFAULTS.withLinksPerClient(0))
                .hasMessageContaining("api.export.max-links-per-client");
        assertThatThrownBy(() -> ClientLimits.DEFAULTS.withRunningPerPrincipal(0))
                .hasMessageContaining("warehouse.max-queries-per-principal");
    }
}
