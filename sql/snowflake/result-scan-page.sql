-- One page of a finished query's persisted result, read in Snowflake: only for
-- a result larger than the local copy allows (warehouse.snowflake.local-copy.max-rows).
-- RESULT_SCAN promises no order: pages follow the number the question's SELECT
-- gave each row, so that they are disjoint and together complete, on any
-- replica. Named parameters (headers): the query id, the page size, the offset.
SELECT * EXCLUDE ("__WAREHOUSE_API_ROW")
FROM TABLE(RESULT_SCAN(:?warehouseQueryId))
ORDER BY "__WAREHOUSE_API_ROW"
LIMIT :?limit OFFSET :?offset
