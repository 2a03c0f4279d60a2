-- One slice of a stored result as CSV, for an export: RFC 4180 (CRLF line
-- ends, fields with a comma, quote or line break quoted, quotes doubled), the
-- header row in the first slice only. {columns} are the store's columns under
-- the names clients see; {table} the store's table; {file} a temporary file of
-- the server's own; {header} true or false. Parameters: the slice's first
-- rowid and the rowid after its last.
COPY (SELECT {columns} FROM {table} WHERE rowid >= ? AND rowid < ?)
TO {file} (FORMAT csv, HEADER {header}, NEW_LINE '\r\n')
