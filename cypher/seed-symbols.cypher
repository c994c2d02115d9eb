// Creates the 26 Symbol nodes with zero totals, and the projection's position at the start of
// the log named $logId, if absent. Served by the symbol_name and projection_name constraints.
UNWIND $symbols AS name
MERGE (s:Symbol {name: name})
  ON CREATE SET s.initials = 0, s.followups = 0
WITH count(*) AS seeded
MERGE (p:Projection {name: 'event-log'})
  ON CREATE SET p.lastEventId = 0, p.logId = $logId
RETURN seeded
