// Creates the 26 Symbol nodes with zero totals, and the projection's record at the start of
// the log named $logId with a name of its own ($graphId), if absent. A graph from before
// writer sequences keeps its position as writer 0's (the log's migration 004 numbers those
// rows the same way). Served by the symbol_name and projection_name constraints.
UNWIND $symbols AS name
MERGE (s:Symbol {name: name})
  ON CREATE SET s.initials = 0, s.followups = 0
WITH count(*) AS seeded
MERGE (p:Projection {name: 'event-log'})
  ON CREATE SET p.logId = $logId, p.graphId = $graphId
SET p.graphId = coalesce(p.graphId, $graphId)
WITH p, seeded
CALL (p) {
  WITH p WHERE p.lastEventId IS NOT NULL
  MERGE (w:LogPosition {writer: 0})
    ON CREATE SET w.seq = CASE WHEN p.lastEventId < 0 THEN 0 ELSE p.lastEventId END
  SET p.paused = CASE WHEN p.lastEventId < 0 THEN true ELSE null END
  REMOVE p.lastEventId
}
RETURN seeded
