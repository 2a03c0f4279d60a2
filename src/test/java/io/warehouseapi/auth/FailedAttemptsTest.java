package io.warehouseapi.auth;

import java.time.Duration;
import java.time.Instant;

import io.warehouseapi.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The back-off on refused credentials by source address, on a clock the test moves. */
class FailedAttemptsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FailedAttempts attempts = new FailedAttempts(clock, 3, Duration.ofSeconds(1),
            Duration.ofSeconds(60), 100);

    @Test
    void an_address_may_fail_a_few_times_then_waits_twice_as_long_after_each_failure() {
        for (int i = 0; i < 2; i++) {
            assertThat(attempts.waitBeforeTrying("10.0.0.1")).isZero();
            attempts.failed("10.0.0.1");
        }
        assertThat(attempts.waitBeforeTrying("10.0.0.1")).isZero();
        attempts.failed("10.0.0.1"); // the third: from now on it waits
        assertThat(attempts.waitBeforeTrying("10.0.0.1")).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(attempts.waitBeforeTrying("10.0.0.1")).isZero();
        attempts.failed("10.0.0.1");
        assertThat(attempts.waitBeforeTrying("10.0.0.1")).isEqualTo(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        attempts.failed("10.0.0.1");
        assertThat(attempts.waitBeforeTrying("10.0.0.1")).isEqualTo(Duration.ofSeconds(4));
        assertThat(attempts.failureCount()).isEqualTo(5);
        assertThat(attempts.throttledCount()).isEqualTo(3);
    }

    @Test
    void the_wait_is_capped_and_other_addresses_are_not_held_up() {
        for (int i = 0; i < 40; i++) {
            attempts.failed("10.0.0.2");
        }
        assertThat(attempts.waitBeforeTrying("10.0.0.2")).isEqualTo(Duration.ofSeconds(60));
        assertThat(attempts.waitBeforeTrying("10.0.0.3")).isZero();
    }

    @Test
    void a_quiet_address_starts_afresh_and_a_sign_in_forgets_the_failures() {
        for (int i = 0; i < 3; i++) {
            attempts.failed("10.0.0.4");
            attempts.failed("10.0.0.5");
        }
        clock.advance(Duration.ofSeconds(61));
        assertThat(attempts.waitBeforeTrying("10.0.0.4")).isZero();
        attempts.failed("10.0.0.4");
        assertThat(attempts.waitBeforeTrying("10.0.0.4")).as("one failure of a fresh start").isZero();

        attempts.succeeded("10.0.0.5");
        attempts.failed("10.0.0.5");
        assertThat(attempts.waitBeforeTrying("10.0.0.5")).isZero();
    }

    @Test
    void a_flood_of_addresses_is_remembered_up_to_the_bound() {
        for (int i = 0; i < 10_000; i++) {
            attempts.failed("10.1." + (i / 256) + "." + (i % 256));
        }
        assertThat(attempts.addressCount()).isEqualTo(100);
    }
}
