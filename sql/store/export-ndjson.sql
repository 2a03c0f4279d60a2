-- One slice of a stored result as NDJSON, for an export: one JSON object per
-- line, keyed by column name, values typed as in results replies (timestamps
-- as ISO-8601 text). {columns}, {table}, {file} and the parameters as in
-- export-csv.sql.
COPY (SELECT {columns} FROM {table} WHERE {position} >= ? AND {position} < ?{order})
TO {file} (FORMAT json)
