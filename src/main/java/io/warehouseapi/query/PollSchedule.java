package io.warehouseapi.query;

/**
 * The delays between status polls of a running query: a small first delay that grows by a factor at every poll up
 * to a cap. A query of a few milliseconds is answered within milliseconds; a query of ten minutes costs a few hundred
 * polls at most.
 */
public class PollSchedule {

    private final long initialDelayMs;
    private final double multiplier;
    private final long maxDelayMs;

    public PollSchedule(long initialDelayMs, double multiplier, long maxDelayMs) {
        if (initialDelayMs < 1 || maxDelayMs < initialDelayMs || multiplier < 1.0) {
            throw new IllegalArgumentException("warehouse.poll: need 1 <= initial-delay <= max-delay and multiplier >= 1");
        }
        this.initialDelayMs = initialDelayMs;
        this.multiplier = multiplier;
        this.maxDelayMs = maxDelayMs;
    }

    /** The delay before poll number {@code attempt} (0 for the first). */
    public long delayFor(int attempt) {
        double delay = initialDelayMs * Math.pow(multiplier, Math.max(0, attempt));
        return delay >= maxDelayMs ? maxDelayMs : Math.max(1, Math.round(delay));
    }
}
