-- The row count of a finished query's persisted result, for the RESULT_SCAN
-- fallback. Named parameter: the query id (header warehouseQueryId).
SELECT COUNT(*) FROM TABLE(RESULT_SCAN(:?warehouseQueryId))
