-- The fingerprint of one exposed view's definition, read before a finished
-- result is reused, so that a view redefined since is run again.
-- Bound parameters: the schema and the view's name as clients see it.
SELECT md5(sql)
FROM duckdb_views()
WHERE database_name = current_database()
  AND schema_name = ?
  AND upper(view_name) = ?
  AND NOT internal
  AND NOT temporary
