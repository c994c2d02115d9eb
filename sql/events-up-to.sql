-- The whole log up to a position, in log order, each followup with the time of its session's
-- initial: what a bulk rebuild streams into its CSV files. Walks the primary key; the join is
-- one lookup in events_initial_uuid per followup.
SELECT e.id, e.kind, e.uuid, e.symbol, e.guess, e.created_at, i.created_at AS session_at
FROM events e
LEFT JOIN events i ON e.kind = 'followup' AND i.initial_uuid = e.uuid
WHERE e.id <= ?
ORDER BY e.id
