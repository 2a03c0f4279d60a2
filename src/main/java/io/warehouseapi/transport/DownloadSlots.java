package io.warehouseapi.transport;

import java.util.HashMap;
import java.util.Map;

import io.warehouseapi.model.Owner;

/**
 * Who holds the download slots of export links, on this replica: one download of a link at a time, and at most
 * {@code perOwner} downloads at once of the links one owner (a principal, or a connection without authentication)
 * asked for. So neither one link nor one owner can take every slot ({@code api.export.max-concurrent}). A link
 * another replica issued has no known owner here and is bounded by its link alone.
 */
final class DownloadSlots {

    private final int perOwner;
    private final Map<String, Integer> byLink = new HashMap<>();
    private final Map<Owner, Integer> byOwner = new HashMap<>();

    DownloadSlots(int perOwner) {
        if (perOwner < 1) {
            throw new IllegalArgumentException("api.export.max-concurrent-per-principal must be at least 1");
        }
        this.perOwner = perOwner;
    }

    /** Takes a slot for a download of {@code link}; null if taken, else why not, in words for the client. */
    synchronized String take(String link, Owner owner) {
        if (byLink.getOrDefault(link, 0) > 0) {
            return "This link is being downloaded already; a link is downloaded once at a time.";
        }
        if (owner != null && byOwner.getOrDefault(owner, 0) >= perOwner) {
            return "Your exports are being downloaded " + perOwner + " at a time already "
                   + "(api.export.max-concurrent-per-principal); try again when one has finished.";
        }
        byLink.merge(link, 1, Integer::sum);
        if (owner != null) {
            byOwner.merge(owner, 1, Integer::sum);
        }
        return null;
    }

    /** Gives back a slot that {@link #take} gave. */
    synchronized void give(String link, Owner owner) {
        byLink.computeIfPresent(link, (key, n) -> n > 1 ? n - 1 : null);
        if (owner != null) {
            byOwner.computeIfPresent(owner, (key, n) -> n > 1 ? n - 1 : null);
        }
    }

    /** Downloads under way. */
    synchronized int inUse() {
        return byLink.values().stream().mapToInt(Integer::intValue).sum();
    }
}
