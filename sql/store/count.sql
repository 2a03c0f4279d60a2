-- The row count of a stored result.
SELECT count(*) FROM {table}
