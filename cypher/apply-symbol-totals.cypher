// Adds a batch's pre-aggregated counts to each Symbol's all-time totals, which answer the
// symbol dashboard in one node read. Served by symbol_name.
UNWIND $symbols AS row
MATCH (s:Symbol {name: row.symbol})
SET s.initials = s.initials + row.initials,
    s.followups = s.followups + row.followups,
    s.earliest = CASE WHEN s.earliest IS NULL OR row.earliest < s.earliest
                      THEN coalesce(row.earliest, s.earliest) ELSE s.earliest END,
    s.latest = CASE WHEN s.latest IS NULL OR row.latest > s.latest
                    THEN coalesce(row.latest, s.latest) ELSE s.latest END
RETURN count(*) AS applied
