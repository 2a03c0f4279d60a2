-- The views of the sample schema with their columns: the catalog the API
-- checks every view_name against. The fourth column is a fingerprint of the
-- view's definition, so that a result of an older definition is never reused.
-- Named parameter: the schema (header schema).
SELECT v.view_name AS view_name, c.column_name AS column_name, c.data_type AS data_type,
       md5(v.sql) AS definition
FROM duckdb_views() v
JOIN duckdb_columns() c
  ON c.database_name = v.database_name
 AND c.schema_name = v.schema_name
 AND c.table_name = v.view_name
WHERE v.database_name = current_database()
  AND v.schema_name = :?schema
  AND NOT v.internal
  AND NOT v.temporary
ORDER BY v.view_name, c.column_index
