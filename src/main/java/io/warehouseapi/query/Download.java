package io.warehouseapi.query;

import java.io.InputStream;

import io.warehouseapi.model.Owner;
import io.warehouseapi.store.ExportFormat;

/**
 * An export being downloaded: its stream (closing it lets the result go), format and file name, and the owner who
 * asked for its link (null for a link another replica issued) and the id of its query ({@code -} then).
 */
public record Download(InputStream stream, ExportFormat format, String fileName, Owner owner, String queryId) {
}
