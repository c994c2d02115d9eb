// Applies one run of the log in a single statement, so a transaction pays Neo4j's
// per-statement cost once. It first takes the projection's write lock, then checks that each
// writer in $positions is at its `from` seq (a writer not yet seen is at 0) and moves it to
// `to`; when the graph is not there (already applied, a gap, another projector, a rebuild
// under way) it returns no row and the caller rolls back, so no event is ever applied twice
// or skipped, whatever order the writers' commits came in. Then, each served by the index named:
//   - each initial becomes a Session linked to its Symbol (symbol_name; session_uuid keeps it
//     unique). MERGE, not CREATE: a followup logged by another writer may have been applied
//     first and left its Session without an initial yet;
//   - each followup becomes a FOLLOWED_UP relationship from its Session (session_uuid);
//   - pre-summed totals go into the time buckets (bucket_key) and the Symbols (symbol_name).
// It returns how many sessions and followups it applied, so a missing node fails the batch.
MATCH (p:Projection {name: 'event-log'})
SET p.lock = true
REMOVE p.lock
WITH p
WHERE p.logId = $logId AND p.paused IS NULL
  AND size($positions) = COUNT {
    UNWIND $positions AS pos
    OPTIONAL MATCH (w:LogPosition {writer: pos.writer})
    WITH pos, w
    WHERE coalesce(w.seq, 0) = pos.from
    RETURN pos
  }
CALL () {
  UNWIND $positions AS pos
  MERGE (w:LogPosition {writer: pos.writer})
  SET w.seq = pos.to
  RETURN count(*) AS moved
}
CALL () {
  UNWIND $sessions AS row
  MATCH (symbol:Symbol {name: row.symbol})
  MERGE (session:Session {uuid: row.uuid})
  SET session.symbol = row.symbol, session.guess = row.guess, session.at = row.at
  CREATE (session)-[:ASKED]->(symbol)
  RETURN count(*) AS sessions
}
CALL () {
  UNWIND $followups AS row
  MATCH (symbol:Symbol {name: row.symbol})
  MERGE (session:Session {uuid: row.uuid})
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
