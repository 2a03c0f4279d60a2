package io.warehouseapi.query;

/**
 * The delays between status polls of a running query: a small first delay that grows by a factor at every poll up
 * to a cap. A query of a few milliseconds is answered within milliseconds; a query of ten minutes costs a few hundred
 * polls at most. The route passes the three settings ({@code warehouse.poll.*}), so that a change is live on reload.
 */
public class PollSchedule {

    /** The delay in ms before poll number {@code attempt} (0 for the first). */
    public long delayFor(int attempt, long initialDelayMs, double multiplier, long maxDelayMs) {
        if (initialDelayMs < 1 || maxDelayMs < initialDelayMs || multiplier < 1.0) {
            throw new IllegalArgumentException("warehouse.poll: need 1 <= initial-delay <= max-delay and multiplier >= 1");
        }
        double delay = initialDelayMs * Math.pow(multiplier, Math.max(0, attempt));
        return delay >= maxDelayMs ? maxDelayMs : Math.max(1, Math.round(delay));
    }
}
