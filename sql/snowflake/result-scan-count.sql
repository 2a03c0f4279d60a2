-- The row count of a finished query's persisted result, for the RESULT_SCAN
-- fallback. Bound parameter: the query id.
SELECT COUNT(*) FROM TABLE(RESULT_SCAN(?))
