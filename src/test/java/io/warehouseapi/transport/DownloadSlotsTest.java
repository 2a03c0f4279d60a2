package io.warehouseapi.transport;

import io.warehouseapi.model.Owner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounds on export downloads: one at a time per link, a few at a time per owner. */
class DownloadSlotsTest {

    private static final Owner ANA = Owner.ofPrincipal("ana");
    private static final Owner BOB = Owner.ofPrincipal("bob");

    private final DownloadSlots slots = new DownloadSlots(2);

    @Test
    void a_link_is_downloaded_once_at_a_time() {
        assertThat(slots.take("link-a", ANA)).isNull();
        assertThat(slots.take("link-a", ANA)).contains("being downloaded already");
        assertThat(slots.take("link-a", null)).as("its owner unknown here").contains("being downloaded already");
        slots.give("link-a", ANA);
        assertThat(slots.take("link-a", ANA)).isNull();
    }

    @Test
    void an_owner_holds_at_most_its_share_and_others_are_served() {
        assertThat(slots.take("a", ANA)).isNull();
        assertThat(slots.take("b", ANA)).isNull();
        assertThat(slots.take("c", ANA)).contains("2 at a time");
        assertThat(slots.take("d", BOB)).isNull();
        assertThat(slots.take("e", null)).isNull();
        assertThat(slots.inUse()).isEqualTo(4);
        slots.give("a", ANA);
        assertThat(slots.take("c", ANA)).isNull();
    }
}
