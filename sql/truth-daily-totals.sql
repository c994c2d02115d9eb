-- Ground truth for verification in one pass: per UTC day and symbol, the initials of that day
-- and the followups of those sessions, whenever the followups came.
SELECT DATE(i.created_at) AS day,
       i.symbol,
       COUNT(*) AS count,
       COALESCE(SUM(f.followups), 0) AS followups,
       MIN(i.created_at) AS earliest,
       MAX(i.created_at) AS latest
FROM events i
LEFT JOIN (
  SELECT uuid, COUNT(*) AS followups FROM events WHERE kind = 'followup' GROUP BY uuid
) f ON f.uuid = i.uuid
WHERE i.kind = 'initial'
GROUP BY day, i.symbol
