-- One page of a finished query's persisted result, read in Snowflake: only for
-- a result larger than the local copy allows (warehouse.snowflake.local-copy.max-rows).
-- Named parameters (headers): the query id, the page size, the offset.
SELECT * FROM TABLE(RESULT_SCAN(:?warehouseQueryId)) LIMIT :?limit OFFSET :?offset
