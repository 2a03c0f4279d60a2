-- A whole stored result as one Parquet file, for an export (a Parquet file's
-- footer follows its last row group, so it is written whole and then sent).
-- {columns}, {table} and {file} as in export-csv.sql; the parameters are 0 and
-- the row count.
COPY (SELECT {columns} FROM {table} WHERE {position} >= ? AND {position} < ?{order})
TO {file} (FORMAT parquet)
