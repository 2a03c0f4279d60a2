-- Materializes a query's result into the result store. {table} is the store's
-- own table for the query id; {source} is a SELECT the warehouse adapter built
-- from a view name taken from the catalog, quoted as an identifier.
CREATE TABLE {table} AS {source}
