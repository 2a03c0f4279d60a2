package io.warehouseapi.query;

import java.time.Instant;

/** An export link as the {@code export} reply gives it. */
public record ExportLink(String queryId, String format, String url, Instant expiresAt) {
}
