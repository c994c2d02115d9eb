-- The whole log, in id order, each followup with the time of its session's initial: what a
-- bulk rebuild streams into its CSV files, inside the same snapshot as its log-heads.sql.
-- Walks the primary key; the join is one lookup in events_initial_uuid per followup.
SELECT e.writer_id, e.writer_seq, e.kind, e.uuid, e.symbol, e.guess,
  TIMESTAMPDIFF(MICROSECOND, '1970-01-01', e.created_at) AS at_us,
  TIMESTAMPDIFF(MICROSECOND, '1970-01-01', COALESCE(i.created_at, e.created_at)) AS session_at_us
FROM events e
LEFT JOIN events i ON e.kind = 'followup' AND i.initial_uuid = e.uuid
ORDER BY e.id
