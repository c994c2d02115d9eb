-- GET /readyz: the time of the oldest event the graph has not applied (the first after its
-- position), as microseconds since the epoch; no row when the graph is current. One seek in
-- the primary key.
SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01', created_at) AS at_us
FROM events
WHERE id > ?
ORDER BY id
LIMIT 1
