-- One page of a stored result. A stored table keeps the result's order in its
-- row ids, so a page is a range of row ids: as fast at the end as at the start.
-- A filtered scan of one table returns its rows in the table's order (DuckDB's
-- order preservation, on by default), so no ORDER BY, and no sort, is needed.
-- A result stored by materialize-numbered.sql keeps its order in its numbers
-- instead: {columns} then leaves the number out, {position} is the number and
-- {order} orders by it (DuckDB prunes the scan by the number's min and max per
-- row group, which the engine wrote nearly in order).
SELECT {columns} FROM {table} WHERE {position} >= ? AND {position} < ?{order}
