-- Ground truth for the time series: per bucket of ? microseconds (a minute, an hour or a day,
-- counted from the epoch in UTC like the graph's buckets), the initials in [lower, upper) and
-- the followups of those sessions, whenever the followups came; one symbol, or all when NULL.
SELECT FLOOR(TIMESTAMPDIFF(MICROSECOND, '1970-01-01', i.created_at) / ?) AS slot,
       COUNT(*) AS initials,
       COALESCE(SUM(f.followups), 0) AS followups
FROM events i
LEFT JOIN (
  SELECT uuid, COUNT(*) AS followups FROM events WHERE kind = 'followup' GROUP BY uuid
) f ON f.uuid = i.uuid
WHERE i.kind = 'initial' AND i.created_at >= ? AND i.created_at < ?
  AND (? IS NULL OR i.symbol = ?)
GROUP BY slot
