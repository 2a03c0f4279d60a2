-- What the result store holds, from DuckDB's own counters: bytes of in-memory
-- tables (the stored results) held in memory, and bytes spilled to the spill
-- directory.
SELECT
    (SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'),
    (SELECT coalesce(sum(size), 0) FROM duckdb_temporary_files())
