package io.warehouseapi.question;

/** One term of {@code order_by}: a catalog column, its direction and where its nulls go. */
public record Order(String column, boolean descending, boolean nullsFirst) {
}
