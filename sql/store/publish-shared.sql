-- Writes a finished result into the shared results directory
-- (results.shared-dir), from which every replica can serve its pages: one
-- Parquet file, written under a temporary name and then renamed, so that no
-- replica ever reads half of it. {table} is the store's table for the query;
-- {file} the temporary file, a quoted path of the server's own. DuckDB keeps
-- the table's row order (preserve_insertion_order), so pages read the same;
-- a numbered result keeps its "__row" column, which orders it there too.
COPY (SELECT * FROM {table}) TO {file} (FORMAT parquet, COMPRESSION zstd)
