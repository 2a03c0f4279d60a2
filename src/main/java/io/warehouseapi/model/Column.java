package io.warehouseapi.model;

/** A column of a view or of a stored result: its name and the warehouse's name for its type. */
public record Column(String name, String type) {
}
