package io.warehouseapi.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.warehouseapi.model.Column;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The waits for rows of a result while it is stored: each completes once its rows are, or once the writing ended. */
class GrowingResultTest {

    private final GrowingResult result = new GrowingResult("q1", "t", List.of(new Column("A", "INTEGER")),
            java.time.Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void a_wait_completes_once_its_rows_are_stored_and_not_before() {
        CompletableFuture<Void> first = result.atLeast(100).toCompletableFuture();
        CompletableFuture<Void> later = result.atLeast(1_000).toCompletableFuture();
        result.stored(99);
        assertThat(first).isNotDone();
        result.stored(100);
        assertThat(first).isDone();
        assertThat(later).isNotDone();
        assertThat(result.stored()).isEqualTo(100);
        // rows already stored: at once
        assertThat(result.atLeast(50).toCompletableFuture()).isDone();
    }

    @Test
    void the_end_completes_every_wait_however_the_writing_ended() {
        CompletableFuture<Void> wait = result.atLeast(5_000).toCompletableFuture();
        result.stored(300);
        result.end();
        assertThat(wait).isDone();
        assertThat(result.ended()).isTrue();
        assertThat(result.atLeast(1_000_000).toCompletableFuture()).isDone();
    }

    @Test
    void the_count_never_goes_back() {
        result.stored(500);
        result.stored(200);
        assertThat(result.stored()).isEqualTo(500);
    }
}
