// Second step of emptying a graph (after wipe-relationships.cypher): deletes every node but
// the projection's position, in transactions of bounded size so that millions of events fit
// in memory. Auto-commit only.
MATCH (n)
WHERE NOT n:Projection
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
