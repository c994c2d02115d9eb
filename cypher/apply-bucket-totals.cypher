// Adds a batch's pre-aggregated counts to the per-symbol time buckets (minute, 10min, hour, day).
// A followup counts in the bucket of its session's initial, as the range dashboard counts it.
// Served by bucket_key.
UNWIND $buckets AS row
MERGE (b:Bucket {grain: row.grain, start: row.start, symbol: row.symbol})
  ON CREATE SET b.initials = 0, b.followups = 0
SET b.initials = b.initials + row.initials,
    b.followups = b.followups + row.followups,
    b.earliest = CASE WHEN b.earliest IS NULL OR row.earliest < b.earliest
                      THEN coalesce(row.earliest, b.earliest) ELSE b.earliest END,
    b.latest = CASE WHEN b.latest IS NULL OR row.latest > b.latest
                    THEN coalesce(row.latest, b.latest) ELSE b.latest END
RETURN count(*) AS applied
