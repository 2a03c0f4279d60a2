package io.warehouseapi.store;

/**
 * A value that is already JSON text (Snowflake's VARIANT, OBJECT and ARRAY), written into replies as nested JSON
 * rather than as a string.
 */
public record RawJson(String json) {
    @Override
    public String toString() {
        return json;
    }
}
