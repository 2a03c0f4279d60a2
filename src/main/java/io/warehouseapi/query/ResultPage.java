package io.warehouseapi.query;

import java.time.Instant;

import io.warehouseapi.store.Page;

/**
 * A page as one client receives it: a page of a stored result, which may be shared by several clients and kept in
 * the page cache, under the query id of the client that asked, with the instant its result was computed.
 */
public record ResultPage(String queryId, Instant computedAt, Page page) {
}
