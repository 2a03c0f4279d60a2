package io.warehouseapi.query;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warehouseapi.MutableClock;
import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.model.Owner;
import io.warehouseapi.model.QueryState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.warehouseapi.query.Asking.about;
import static io.warehouseapi.query.Asking.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The rules between replicas, without Camel: two query services over one warehouse that both can reach (as Snowflake
 * is), signing with the same key. A principal's ids and any export link work on either; a connection's id only where
 * it was issued; at shutdown a principal's running query is left for the other replica; a principal's query outlives
 * its connection for the resume grace and no longer.
 */
class ReplicaRulesTest {

    private static final Duration GRACE = Duration.ofMillis(300);
    private static final Owner ANA = Owner.ofPrincipal("ana");
    private static final Owner BOB = Owner.ofPrincipal("bob");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
    private final InMemoryWarehouse warehouse = new InMemoryWarehouse(clock);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final SignedIds keys = SignedIds.of(List.of(key()));
    private final QueryService one = replica();
    private final QueryService two = replica();

    ReplicaRulesTest() {
        warehouse.sharedByReplicas = true;
    }

    private static String key() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        return Base64.getEncoder().encodeToString(key);
    }

    private QueryService replica() {
        return new QueryService(warehouse, Duration.ofMinutes(30), Duration.ofHours(24), 16,
                new ApiMetrics(new SimpleMeterRegistry()), timer, keys, GRACE, clock);
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private String runView(QueryService replica, Owner owner, String connection, String extra) {
        return replica.submit(owner, connection,
                Asking.runView(extra), "0", "");
    }

    @Test
    void a_principals_id_opens_on_another_replica_only_under_the_same_scope() throws Exception {
        Owner partner = Owner.ofPrincipal("pat", "scope-of-stations-72");
        String id = runView(one, partner, "c1", "");
        warehouse.succeed(warehouse.queryId(0), 10);

        assertThat(two.readPage(Owner.ofPrincipal("pat", "scope-of-stations-72"), about("fetch_results", id, ""))
                .join().page().rowCount()).isEqualTo(10);
        // once the access policies grant the principal something else, its earlier ids open nowhere
        assertThat(failureOf(() -> two.state(Owner.ofPrincipal("pat", "scope-of-stations-79"),
                about("query_status", id, "")))).isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);
        assertThat(failureOf(() -> one.state(Owner.ofPrincipal("pat"), about("query_status", id, ""))))
                .isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);
    }

    @Test
    void a_principals_id_is_taken_up_by_another_replica_and_a_connections_id_is_not() throws Exception {
        String ana = runView(one, ANA, "c1", "");
        String anonymous = runView(one, Owner.ofConnection("c2"), "c2", ",\"columns\":[\"id\"]");
        warehouse.succeed(warehouse.queryId(0), 10);
        warehouse.succeed(warehouse.queryId(1), 10);

        assertThat(two.readPage(ANA, about("fetch_results", ana, "")).join().page().rowCount()).isEqualTo(10);
        assertThat(two.warehouseIdOf(ana)).isEqualTo(warehouse.queryId(0));
        assertThat(failureOf(() -> two.state(BOB, about("query_status", ana, ""))))
                .isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);
        assertThat(failureOf(() -> two.state(Owner.ofConnection("c2"), about("query_status", anonymous, ""))))
                .as("a connection's id is bound to the replica of its connection").isEqualTo(QueryFailure.Kind.UNKNOWN_QUERY);

        ExportLink link = one.export(ANA, about("export", ana, ",\"format\":\"csv\""), "PT5M");
        String token = link.url().substring(link.url().lastIndexOf('/') + 1);
        assertThat(two.mayBeExport(token)).isTrue();
        assertThat(two.mayBeExport(token.substring(1) + "A")).isFalse();
        Download download = two.openExport(token);
        assertThat(download).isNotNull();
        assertThat(download.fileName()).isEqualTo("TRIPS-20261204T100000Z.csv");
        try (InputStream stream = download.stream()) {
            assertThat(new String(stream.readAllBytes())).isEqualTo("ID\n");
        }
    }

    @Test
    void at_shutdown_a_principals_running_query_is_left_for_another_replica_and_the_others_cancelled() {
        String ana = runView(one, ANA, "c1", "");
        runView(one, Owner.ofConnection("c2"), "c2", ",\"columns\":[\"id\"]");

        assertThat(one.handsOffAtShutdown()).isTrue();
        assertThat(one.handOff()).as("queries left running").isEqualTo(1);
        one.release("c1");
        assertThat(warehouse.cancelled).containsExactly(warehouse.queryId(1));

        warehouse.succeed(warehouse.queryId(0), 10);
        assertThat(two.state(ANA, about("query_status", ana, ""))).isEqualTo(QueryState.SUCCESS);
        assertThat(two.readPage(ANA, about("fetch_results", ana, "")).join().page().rowCount()).isEqualTo(10);
    }

    @Test
    void a_principals_query_outlives_its_connection_for_the_grace_when_taken_up_again() {
        String kept = runView(one, ANA, "c1", "");
        String dropped = runView(one, BOB, "c2", ",\"columns\":[\"id\"]");

        one.release("c1");
        one.release("c2");
        assertThat(warehouse.cancelled).as("within the grace").isEmpty();
        // ana asks from another connection: taken up again
        assertThat(one.state(ANA, about("query_status", kept, ""))).isEqualTo(QueryState.QUEUED);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> warehouse.cancelled.contains(warehouse.queryId(1)));
        assertThat(warehouse.cancelled).as("bob's, nobody took it up").containsExactly(warehouse.queryId(1));
        assertThat(one.state(ANA, about("query_status", kept, ""))).isEqualTo(QueryState.QUEUED);
        assertThatThrownBy(() -> one.readPage(BOB, about("fetch_results", dropped, "")))
                .isInstanceOf(QueryFailure.class);
    }
}
