package io.warehouseapi.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.warehouseapi.api.ApiException;
import io.warehouseapi.api.ErrorCode;

/**
 * Requests per connection: a token bucket that serves bursts of up to {@code burst} requests and {@code perSecond}
 * requests a second sustained ({@code api.rate.*}, passed by the route). A request beyond that is answered
 * {@code TOO_MANY_REQUESTS}, and the connection stays usable.
 */
public class RequestLimits {

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes one request from the connection's allowance, or refuses it with TOO_MANY_REQUESTS. */
    public void admit(String connection, int burst, double perSecond) {
        if (burst < 1 || perSecond <= 0) {
            throw new IllegalArgumentException("api.rate: need burst >= 1 and per-second > 0");
        }
        Bucket bucket = buckets.computeIfAbsent(connection, key -> new Bucket(burst));
        if (!bucket.take(burst, perSecond)) {
            throw new ApiException(ErrorCode.TOO_MANY_REQUESTS,
                    "Too many requests on this connection; slow down and try again.");
        }
    }

    /** Forgets a closed connection's allowance. */
    public void forget(String connection) {
        buckets.remove(connection);
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt = System.nanoTime();

        Bucket(int burst) {
            this.tokens = burst;
        }

        synchronized boolean take(int burst, double perSecond) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
