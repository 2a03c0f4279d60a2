-- The views of the configured schema with their columns, from the current
-- database's INFORMATION_SCHEMA: the catalog the API checks every view_name
-- against. The fourth column changes whenever a view is created again or
-- altered (a secure view's text is hidden from the API's role, its dates are
-- not), so that a result of an older definition is never reused. A NUMBER
-- column's type carries its precision and scale, as in results replies, so
-- that a filter on NUMBER(38,0) takes integers only.
-- Named parameter: the schema (header schema).
SELECT v.TABLE_NAME AS VIEW_NAME, c.COLUMN_NAME AS COLUMN_NAME,
       CASE WHEN c.DATA_TYPE = 'NUMBER'
            THEN 'NUMBER(' || c.NUMERIC_PRECISION || ',' || c.NUMERIC_SCALE || ')'
            ELSE c.DATA_TYPE END AS DATA_TYPE,
       TO_VARCHAR(v.CREATED) || '/' || TO_VARCHAR(v.LAST_ALTERED) AS DEFINITION
FROM INFORMATION_SCHEMA.VIEWS v
JOIN INFORMATION_SCHEMA.COLUMNS c
  ON c.TABLE_SCHEMA = v.TABLE_SCHEMA
 AND c.TABLE_NAME = v.TABLE_NAME
WHERE v.TABLE_SCHEMA = :?schema
ORDER BY v.TABLE_NAME, c.ORDINAL_POSITION
