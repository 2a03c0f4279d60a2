package io.warehouseapi.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refused credentials by source address, with back-off ({@code api.auth.failures.*}): an address may fail
 * {@code free} times; each failure after that makes it wait before its next credential is evaluated, twice as long as
 * the previous wait, from {@code firstWait} up to {@code maxWait}. An address that has been quiet for
 * {@code maxWait} starts afresh, as does one that signs in. At most {@code maxAddresses} addresses are remembered
 * (the longest quiet is forgotten first), so a flood of addresses cannot grow memory.
 */
public final class FailedAttempts {

    private final Clock clock;
    private final int free;
    private final Duration firstWait;
    private final Duration maxWait;
    private final Map<String, Entry> entries;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();

    private static final class Entry {
        int failures;
        Instant last;
        Instant blockedUntil = Instant.MIN;
    }

    public FailedAttempts(Clock clock, int free, Duration firstWait, Duration maxWait, int maxAddresses) {
        if (free < 1 || firstWait.isNegative() || maxWait.compareTo(firstWait) < 0 || maxAddresses < 1) {
            throw new IllegalArgumentException("api.auth.failures: free >= 1, 0 <= first wait <= max wait, "
                                               + "max addresses >= 1");
        }
        this.clock = clock;
        this.free = free;
        this.firstWait = firstWait;
        this.maxWait = maxWait;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /**
     * How long the address must still wait before a credential of its own is evaluated; zero if it may try now. A
     * non-zero answer counts as a throttled attempt.
     */
    public synchronized Duration waitBeforeTrying(String address) {
        Entry entry = current(address);
        Instant now = clock.instant();
        if (entry == null || !now.isBefore(entry.blockedUntil)) {
            return Duration.ZERO;
        }
        throttled.incrementAndGet();
        return Duration.between(now, entry.blockedUntil);
    }

    /** A credential from the address was refused. */
    public synchronized void failed(String address) {
        failures.incrementAndGet();
        Instant now = clock.instant();
        Entry entry = current(address);
        if (entry == null) {
            entry = new Entry();
            entries.put(address, entry);
        }
        entry.failures++;
        entry.last = now;
        int beyond = entry.failures - free;
        if (beyond >= 0) {
            Duration wait = firstWait.multipliedBy(1L << Math.min(beyond, 30));
            entry.blockedUntil = now.plus(wait.compareTo(maxWait) > 0 || wait.isNegative() ? maxWait : wait);
        }
    }

    /** A credential from the address was accepted: its failures are forgotten. */
    public synchronized void succeeded(String address) {
        entries.remove(address);
    }

    /** The address's entry, unless it has been quiet long enough to start afresh. */
    private Entry current(String address) {
        Entry entry = entries.get(address);
        if (entry != null && clock.instant().isAfter(entry.last.plus(maxWait))
            && !clock.instant().isBefore(entry.blockedUntil)) {
            entries.remove(address);
            return null;
        }
        return entry;
    }

    /** Credentials refused so far. */
    public long failureCount() {
        return failures.get();
    }

    /** Attempts not evaluated because their address had to wait. */
    public long throttledCount() {
        return throttled.get();
    }

    /** Addresses remembered now. */
    public synchronized int addressCount() {
        return entries.size();
    }
}
