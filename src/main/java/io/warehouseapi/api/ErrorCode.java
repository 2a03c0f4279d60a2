package io.warehouseapi.api;

/** The error codes of the WebSocket protocol. */
public enum ErrorCode {
    BAD_REQUEST,
    UNKNOWN_ACTION,
    VIEW_NOT_FOUND,
    QUERY_NOT_FOUND,
    QUERY_NOT_FINISHED,
    QUERY_FAILED,
    QUERY_CANCELLED,
    QUERY_TIMEOUT,
    TOO_MANY_REQUESTS,
    UNAUTHORIZED,
    WAREHOUSE_UNAVAILABLE,
    INTERNAL
}
