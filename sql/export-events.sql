-- The raw events of [?, ?) for `npm run export`, in log order, each with its session's initial
-- time (a followup's session began at its initial; an initial is its own session's start).
-- Runs inside one consistent snapshot. Walks the primary key (created_at has no index: a scan,
-- streamed, at the pace the export writes); the join is one lookup in events_initial_uuid per
-- followup.
SELECT e.id, e.writer_id, e.writer_seq, e.kind, e.uuid, e.symbol, e.guess, e.created_at,
  COALESCE(i.created_at, e.created_at) AS session_created_at, e.request_key
FROM events e
LEFT JOIN events i ON e.kind = 'followup' AND i.initial_uuid = e.uuid
WHERE e.created_at >= ? AND e.created_at < ?
ORDER BY e.id
