package io.warehouseapi.bench;

import java.util.Arrays;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Latencies in microseconds, and their order statistics (nearest rank). */
final class Stats {

    private long[] values = new long[1024];
    private int size;

    synchronized void add(long micros) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = micros;
    }

    synchronized int count() {
        return size;
    }

    /** The p-th percentile in milliseconds (p in 0..100), or NaN when there are no values. */
    synchronized double percentileMillis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1000.0;
    }

    double maxMillis() {
        return percentileMillis(100);
    }

    synchronized double meanMillis() {
        return size == 0 ? Double.NaN : Arrays.stream(values, 0, size).average().orElse(0) / 1000;
    }

    /** count, p50, p99 and max, in milliseconds, as a JSON object. */
    ObjectNode toJson() {
        ObjectNode node = Peer.JSON.createObjectNode();
        node.put("count", count());
        if (count() == 0) {
            return node.putNull("p50_ms").putNull("p99_ms").putNull("max_ms");
        }
        node.put("p50_ms", round(percentileMillis(50)));
        node.put("p99_ms", round(percentileMillis(99)));
        node.put("max_ms", round(maxMillis()));
        return node;
    }

    /** "p50 / p99 / max" in milliseconds, for a report's table. */
    String summary() {
        return String.format(java.util.Locale.ROOT, "%.2f / %.2f / %.2f", percentileMillis(50), percentileMillis(99),
                maxMillis());
    }

    static double round(double value) {
        return Double.isNaN(value) ? value : Math.round(value * 100) / 100.0;
    }
}
