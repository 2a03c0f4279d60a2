package io.warehouseapi.query;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warehouseapi.MutableClock;
import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.model.Owner;
import io.warehouseapi.model.QueryState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.warehouseapi.query.Asking.about;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules of a result stored as it arrives, without Camel: its first page goes once its rows are stored, once per
 * client, with the instant its storing began; a page is answered once its rows are stored, or once the query ends;
 * {@code query_status} counts the rows stored; {@code complete} brings the count. On a warehouse in memory whose
 * storing moves when the test says.
 */
class GrowingPagesTest {

    private static final Owner CLIENT = Owner.ofConnection("c1");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final InMemoryWarehouse warehouse = new InMemoryWarehouse(clock);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final QueryService queries = new QueryService(warehouse, Duration.ofMinutes(30), Duration.ofHours(24), 16,
            new ApiMetrics(new SimpleMeterRegistry()), timer, SignedIds.of(List.of()), Duration.ZERO, clock);

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private String runView() {
        return queries.submit(CLIENT, "c1", Asking.runView(""), "PT1M", "");
    }

    private CompletableFuture<ResultPage> fetch(String queryId, long offset) {
        return queries.readPage(CLIENT, about("fetch_results", queryId, ",\"offset\":" + offset));
    }

    /** The id of a page's first row, from its rows as sent. */
    private static long firstId(ResultPage page) throws Exception {
        return JSON.readTree(page.page().rowsJson()).get(0).path("ID").asLong();
    }

    @Test
    void the_first_page_goes_once_its_rows_are_stored_once_and_computed_when_the_storing_began() throws Exception {
        queries.firstPageEarly(true);
        String id = runView();
        String result = warehouse.queryId(0);
        Instant began = clock.instant();
        warehouse.storing(result, 40);
        assertThat(queries.poll(id).firstPageDue()).as("40 rows of 100 stored").isFalse();

        clock.advance(Duration.ofSeconds(3));
        warehouse.stored(result, 150);
        QueryProgress progress = queries.poll(id);
        assertThat(progress.state()).isEqualTo(QueryState.RUNNING);
        assertThat(progress.firstPageDue()).isTrue();
        assertThat(progress.firstPage().page().complete()).isFalse();
        assertThat(progress.firstPage().page().rowCount()).isEqualTo(100);
        assertThat(firstId(progress.firstPage())).isEqualTo(1);
        assertThat(progress.firstPage().computedAt()).isEqualTo(began);

        QueryProgress again = queries.poll(id);
        assertThat(again.firstPageDue()).as("sent once").isFalse();
        assertThat(again.firstPageSent()).isTrue();

        warehouse.succeed(result, 1000);
        assertThat(queries.poll(id).state()).isEqualTo(QueryState.SUCCESS);
        assertThat(queries.completed(id).totalRows()).isEqualTo(1000);
        ResultPage whole = fetch(id, 0).join();
        assertThat(whole.page().complete()).isTrue();
        assertThat(whole.computedAt()).as("the stored result's instant, as the early page said").isEqualTo(began);
    }

    @Test
    void without_the_early_first_page_a_run_view_waits_for_the_whole_result() {
        queries.firstPageEarly(false);
        String id = runView();
        warehouse.storing(warehouse.queryId(0), 500);
        QueryProgress progress = queries.poll(id);
        assertThat(progress.state()).isEqualTo(QueryState.RUNNING);
        assertThat(progress.firstPageDue()).isFalse();
        assertThat(progress.firstPageSent()).isFalse();
    }

    @Test
    void a_page_is_answered_once_its_rows_are_stored_and_query_status_counts_them() throws Exception {
        String id = runView();
        String result = warehouse.queryId(0);
        warehouse.storing(result, 250);

        ResultPage stored = fetch(id, 100).get(5, TimeUnit.SECONDS);
        assertThat(stored.page().complete()).isFalse();
        assertThat(firstId(stored)).isEqualTo(101);
        QueryService.Status status = queries.status(CLIENT, about("query_status", id, ""));
        assertThat(status.state()).isEqualTo(QueryState.RUNNING);
        assertThat(status.rowsStored()).isEqualTo(250);

        CompletableFuture<ResultPage> later = fetch(id, 300);
        warehouse.stored(result, 350);
        assertThat(later).as("its rows reach 400").isNotDone();
        warehouse.stored(result, 400);
        assertThat(firstId(later.get(5, TimeUnit.SECONDS))).isEqualTo(301);

        // past the end of a result that turned out shorter: the empty page of the whole result
        CompletableFuture<ResultPage> pastTheEnd = fetch(id, 900);
        warehouse.succeed(result, 420);
        ResultPage empty = pastTheEnd.get(5, TimeUnit.SECONDS);
        assertThat(empty.page().rowCount()).isZero();
        assertThat(empty.page().totalRows()).isEqualTo(420);
        assertThat(queries.status(CLIENT, about("query_status", id, "")).rowsStored()).isEqualTo(-1);
    }

    @Test
    void a_page_waiting_for_its_rows_ends_with_the_query_s_failure() {
        String id = runView();
        String result = warehouse.queryId(0);
        warehouse.storing(result, 100);
        CompletableFuture<ResultPage> waiting = fetch(id, 500);
        assertThat(waiting).isNotDone();

        warehouse.fail(result);
        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(QueryFailure.class,
                        failure -> assertThat(failure.kind()).isEqualTo(QueryFailure.Kind.FAILED));
    }
}
