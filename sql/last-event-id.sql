-- The newest position in the log (0 when empty): what the graph must reach to be current.
SELECT COALESCE(MAX(id), 0) AS id FROM events
