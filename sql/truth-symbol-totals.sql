-- Ground truth for verification: per symbol over all time, straight from the raw log.
SELECT symbol,
       SUM(kind = 'initial') AS count,
       SUM(kind = 'followup') AS followups,
       MIN(IF(kind = 'initial', created_at, NULL)) AS earliest,
       MAX(IF(kind = 'initial', created_at, NULL)) AS latest
FROM events
GROUP BY symbol
