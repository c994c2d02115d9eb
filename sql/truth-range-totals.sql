-- Ground truth for verification: per symbol, the initials in [lower, upper) and the followups
-- of those sessions, whenever the followups came.
SELECT i.symbol,
       COUNT(*) AS count,
       COALESCE(SUM(f.followups), 0) AS followups,
       MIN(i.created_at) AS earliest,
       MAX(i.created_at) AS latest
FROM events i
LEFT JOIN (
  SELECT uuid, COUNT(*) AS followups FROM events WHERE kind = 'followup' GROUP BY uuid
) f ON f.uuid = i.uuid
WHERE i.kind = 'initial' AND i.created_at >= ? AND i.created_at < ?
GROUP BY i.symbol
