-- Whether the store holds a table for a query (0 or 1): its result, stored or
-- being stored, or one a failed write left behind.
SELECT count(*)
FROM duckdb_tables()
WHERE database_name = ? AND schema_name = 'main' AND table_name = ?
