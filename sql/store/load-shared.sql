-- Takes a result another replica wrote into the shared results directory into
-- this replica's store, once, so that its pages are local reads. {table} is the
-- store's table for the query; {file} the result's Parquet file, a quoted path
-- of the server's own.
CREATE TABLE {table} AS SELECT * FROM read_parquet({file})
