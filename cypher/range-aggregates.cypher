// GET /dashboard/range/<lower>/<upper>: per symbol, whole buckets for the part of the range
// they tile (100-day down to 100 ms spans from lib/reads/range-plan.ts), plus the sessions in
// the edges shorter than 100 ms. Buckets are sought in bucket_key (grain, start, symbol): the
// "symbol IS NOT NULL" is what lets Neo4j seek that composite index by its first two
// properties. Edge sessions are sought in session_at. The work grows with the span's shape,
// not with the events inside it, and at most with the sessions of 200 ms. No hint on the
// bucket seek: a hinted seek missed buckets of very wide spans (1970..2100) in our tests on
// Neo4j 5.26; the planner's own choice answers right.
CALL {
  UNWIND $bucketSpans AS span
  MATCH (b:Bucket)
  WHERE b.grain = span.grain AND b.start >= span.from AND b.start < span.to
    AND b.symbol IS NOT NULL
  RETURN b.symbol AS symbol, b.initials AS count, b.followups AS followups,
         b.earliest AS earliest, b.latest AS latest
  UNION ALL
  UNWIND $edgeSpans AS span
  MATCH (s:Session)
  USING INDEX s:Session(at)
  WHERE s.at >= span.from AND s.at < span.to
  RETURN s.symbol AS symbol, 1 AS count, COUNT { (s)-[:FOLLOWED_UP]->() } AS followups,
         s.at AS earliest, s.at AS latest
}
RETURN symbol, sum(count) AS count, sum(followups) AS followups,
       min(earliest) AS earliest, max(latest) AS latest
