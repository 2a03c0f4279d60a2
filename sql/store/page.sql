-- One page of a stored result. A stored table keeps the result's order in its
-- row ids, so a page is a range of row ids: as fast at the end as at the start.
SELECT * FROM {table} WHERE rowid >= ? AND rowid < ? ORDER BY rowid
