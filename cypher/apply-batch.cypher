// Applies one run of the log, (from, to], in a single statement, so a transaction pays
// Neo4j's per-statement cost once. It first takes the projection's write lock and moves its
// position from $from to $to of log $logId; when the graph is not there (already applied, a
// gap, a rebuild under way) it returns no row and the caller rolls back, so no event is ever
// applied twice. Then, each served by the index named:
//   - each initial becomes a Session linked to its Symbol (symbol_name; session_uuid keeps it
//     unique). CREATE, not MERGE: the log holds one initial per uuid;
//   - each followup becomes a FOLLOWED_UP relationship from its Session (session_uuid);
//   - pre-summed totals go into the time buckets (bucket_key) and the Symbols (symbol_name).
// It returns how many sessions and followups it created, so a missing node fails the batch.
MATCH (p:Projection {name: 'event-log'})
SET p.lock = true
REMOVE p.lock
WITH p
WHERE p.lastEventId = $from AND p.logId = $logId
SET p.lastEventId = $to
WITH p
CALL () {
  UNWIND $sessions AS row
  MATCH (symbol:Symbol {name: row.symbol})
  CREATE (session:Session {uuid: row.uuid, symbol: row.symbol, guess: row.guess, at: row.at})
  CREATE (session)-[:ASKED]->(symbol)
  RETURN count(*) AS sessions
}
CALL () {
  UNWIND $followups AS row
  MATCH (session:Session {uuid: row.uuid})-[:ASKED]->(symbol:Symbol)
  CREATE (session)-[:FOLLOWED_UP {at: row.at}]->(symbol)
  RETURN count(*) AS followups
}
CALL () {
  UNWIND $buckets AS row
  MERGE (b:Bucket {grain: row.grain, start: row.start, symbol: row.symbol})
    ON CREATE SET b.initials = 0, b.followups = 0
  SET b.initials = b.initials + row.initials,
      b.followups = b.followups + row.followups,
      b.earliest = CASE WHEN b.earliest IS NULL OR row.earliest < b.earliest
                        THEN coalesce(row.earliest, b.earliest) ELSE b.earliest END,
      b.latest = CASE WHEN b.latest IS NULL OR row.latest > b.latest
                      THEN coalesce(row.latest, b.latest) ELSE b.latest END
  RETURN count(*) AS buckets
}
CALL () {
  UNWIND $symbols AS row
  MATCH (s:Symbol {name: row.symbol})
  SET s.initials = s.initials + row.initials,
      s.followups = s.followups + row.followups,
      s.earliest = CASE WHEN s.earliest IS NULL OR row.earliest < s.earliest
                        THEN coalesce(row.earliest, s.earliest) ELSE s.earliest END,
      s.latest = CASE WHEN s.latest IS NULL OR row.latest > s.latest
                      THEN coalesce(row.latest, s.latest) ELSE s.latest END
  RETURN count(*) AS symbols
}
RETURN sessions, followups
