package io.warehouseapi.transport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounds on export downloads: one at a time per link, a few at a time per owner. */
class DownloadSlotsTest {

    private final DownloadSlots slots = new DownloadSlots(2);

    @Test
    void a_link_is_downloaded_once_at_a_time() {
        assertThat(slots.take("link-a", "ana")).isNull();
        assertThat(slots.take("link-a", "ana")).contains("being downloaded already");
        assertThat(slots.take("link-a", null)).as("its owner unknown here").contains("being downloaded already");
        slots.give("link-a", "ana");
        assertThat(slots.take("link-a", "ana")).isNull();
    }

    @Test
    void an_owner_holds_at_most_its_share_and_others_are_served() {
        assertThat(slots.take("a", "ana")).isNull();
        assertThat(slots.take("b", "ana")).isNull();
        assertThat(slots.take("c", "ana")).contains("2 at a time");
        assertThat(slots.take("d", "bob")).isNull();
        assertThat(slots.take("e", null)).isNull();
        assertThat(slots.inUse()).isEqualTo(4);
        slots.give("a", "ana");
        assertThat(slots.take("c", "ana")).isNull();
    }
}
