-- Cancels a running query. Bound parameter: the query id.
SELECT SYSTEM$CANCEL_QUERY(?)
