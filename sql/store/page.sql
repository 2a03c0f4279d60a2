-- One page of a stored result. A stored table keeps the result's order in its
-- row ids, so a page is a range of row ids: as fast at the end as at the start.
-- A filtered scan of one table returns its rows in the table's order (DuckDB's
-- order preservation, on by default), so no ORDER BY, and no sort, is needed.
SELECT * FROM {table} WHERE rowid >= ? AND rowid < ?
