// GET /dashboard/series/<lower>/<upper>?grain=…[&symbol=…]: initials and followups per bucket
// of one grain ('minute', 'hour' or 'day') starting in [$from, $to), summed over the letters,
// or only $symbol's when it is not null. One seek in bucket_key (grain, start, symbol; the
// "symbol IS NOT NULL" makes it seekable by its first two properties); the work grows
// with the number of buckets (at most 1500 × 26 nodes), not with the events inside them.
// Buckets nobody asked about do not exist; the caller fills them in as zeros.
MATCH (b:Bucket)
WHERE b.grain = $grain AND b.start >= $from AND b.start < $to
  AND b.symbol IS NOT NULL AND ($symbol IS NULL OR b.symbol = $symbol)
RETURN b.start AS start, sum(b.initials) AS initials, sum(b.followups) AS followups
ORDER BY start
