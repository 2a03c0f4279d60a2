package io.warehouseapi.query;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The poll delays start small, grow by the factor and stop at the cap. */
class PollScheduleTest {

    private final PollSchedule schedule = new PollSchedule();

    @Test
    void delays_grow_from_the_initial_delay_to_the_cap() {
        assertThat(schedule.delayFor(0, 5, 2.0, 1000)).isEqualTo(5);
        assertThat(schedule.delayFor(1, 5, 2.0, 1000)).isEqualTo(10);
        assertThat(schedule.delayFor(4, 5, 2.0, 1000)).isEqualTo(80);
        assertThat(schedule.delayFor(8, 5, 2.0, 1000)).isEqualTo(1000);
        assertThat(schedule.delayFor(10_000, 5, 2.0, 1000)).isEqualTo(1000);
    }

    @Test
    void a_ten_minute_query_costs_a_few_hundred_polls_with_the_defaults() {
        long elapsed = 0;
        int polls = 0;
        while (elapsed < 600_000) {
            elapsed += schedule.delayFor(polls++, 5, 1.2, 1000);
        }
        assertThat(polls).isBetween(600, 640);
        assertThat(schedule.delayFor(0, 5, 1.2, 1000) + schedule.delayFor(1, 5, 1.2, 1000)).isLessThan(15);
    }

    @Test
    void nonsense_settings_are_refused() {
        assertThatThrownBy(() -> schedule.delayFor(0, 0, 1.2, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> schedule.delayFor(0, 10, 1.2, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> schedule.delayFor(0, 5, 0.5, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
