-- Materializes a query's result into the result store while the engine hands
-- its first rows over: {number} is a call of a function of the server's own
-- that numbers the rows in the order they pass through it (and keeps the first
-- of them for the first page), stored as "__row"; the stored result is read in
-- that order. {table} and {source} as in materialize.sql.
CREATE TABLE {table} AS SELECT {number} AS "__row", * FROM ({source})
