-- GET /readyz: the time of a writer's oldest event that a graph has not applied (the first
-- after its position), as microseconds since the epoch; no row when the graph has them all.
-- One seek in events_writer_seq.
SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01', created_at) AS at_us
FROM events
WHERE writer_id = ? AND writer_seq > ?
ORDER BY writer_seq
LIMIT 1
