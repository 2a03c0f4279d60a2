-- The views of the configured schema with their columns, from the current
-- database's INFORMATION_SCHEMA: the catalog the API checks every view_name
-- against. The fourth column changes whenever a view is created again or
-- altered (a secure view's text is hidden from the API's role, its dates are
-- not), so that a result of an older definition is never reused.
-- Named parameter: the schema (header schema).
SELECT v.TABLE_NAME AS VIEW_NAME, c.COLUMN_NAME AS COLUMN_NAME, c.DATA_TYPE AS DATA_TYPE,
       TO_VARCHAR(v.CREATED) || '/' || TO_VARCHAR(v.LAST_ALTERED) AS DEFINITION
FROM INFORMATION_SCHEMA.VIEWS v
JOIN INFORMATION_SCHEMA.COLUMNS c
  ON c.TABLE_SCHEMA = v.TABLE_SCHEMA
 AND c.TABLE_NAME = v.TABLE_NAME
WHERE v.TABLE_SCHEMA = :?schema
ORDER BY v.TABLE_NAME, c.ORDINAL_POSITION
