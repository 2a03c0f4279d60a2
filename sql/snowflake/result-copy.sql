-- A finished query's persisted result, read once into the local result store.
-- RESULT_SCAN promises no order: the rows are read in the order of the number
-- the question's SELECT gave each (in its ORDER BY's order, if it has one), so
-- that the copy, and a copy on any other replica, keeps one order; the number
-- itself is left out. Parameter: the query id.
SELECT * EXCLUDE ("__WAREHOUSE_API_ROW")
FROM TABLE(RESULT_SCAN(?))
ORDER BY "__WAREHOUSE_API_ROW"
