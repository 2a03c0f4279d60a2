-- The columns of a stored result, in order.
SELECT column_name, data_type
FROM duckdb_columns()
WHERE database_name = ? AND schema_name = 'main' AND table_name = ?
ORDER BY column_index
