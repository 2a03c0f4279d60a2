-- One slice of a stored result as CSV, for an export: RFC 4180 (CRLF line
-- ends, fields with a comma, quote or line break quoted, quotes doubled), the
-- header row in the first slice only. {columns} are the store's columns under
-- the names clients see; {table} the store's table; {file} a temporary file of
-- the server's own; {header} true or false; {position} what orders the
-- table's rows (rowid, or the number materialize-numbered.sql gave each row)
-- and {order} the ORDER BY the latter needs. Parameters: the slice's first
-- position and the position after its last.
COPY (SELECT {columns} FROM {table} WHERE {position} >= ? AND {position} < ?{order})
TO {file} (FORMAT csv, HEADER {header}, NEW_LINE '\r\n')
