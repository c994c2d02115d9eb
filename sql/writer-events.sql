-- A writer's events in (after, upTo] in sequence order, at most `limit`, each followup with the
-- time of its session's initial (the graph counts a followup where its initial is). Walks
-- events_writer_seq; the join is one lookup in events_initial_uuid per followup. Times come as
-- microseconds since the epoch (created_at is UTC), so the reader parses no date strings.
SELECT e.writer_id, e.writer_seq, e.kind, e.uuid, e.symbol, e.guess,
  TIMESTAMPDIFF(MICROSECOND, '1970-01-01', e.created_at) AS at_us,
  TIMESTAMPDIFF(MICROSECOND, '1970-01-01', COALESCE(i.created_at, e.created_at)) AS session_at_us
FROM events e
LEFT JOIN events i ON e.kind = 'followup' AND i.initial_uuid = e.uuid
WHERE e.writer_id = ? AND e.writer_seq > ? AND e.writer_seq <= ?
ORDER BY e.writer_seq
LIMIT ?
