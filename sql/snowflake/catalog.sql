-- The views of the configured schema with their columns, from the current
-- database's INFORMATION_SCHEMA: the catalog the API checks every view_name
-- against. Bound parameter: the schema.
SELECT v.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE
FROM INFORMATION_SCHEMA.VIEWS v
JOIN INFORMATION_SCHEMA.COLUMNS c
  ON c.TABLE_SCHEMA = v.TABLE_SCHEMA
 AND c.TABLE_NAME = v.TABLE_NAME
WHERE v.TABLE_SCHEMA = ?
ORDER BY v.TABLE_NAME, c.ORDINAL_POSITION
