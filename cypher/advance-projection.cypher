// Moves the projection from $from to $to, first in every apply transaction: it takes the
// node's write lock, and returns no row when the graph is not at $from of log $logId (already
// applied, a gap, or a rebuild under way), so the caller rolls back and never applies an event
// twice. Served by the projection_name constraint.
MATCH (p:Projection {name: 'event-log'})
SET p.lock = true
WITH p
WHERE p.lastEventId = $from AND p.logId = $logId
SET p.lastEventId = $to
REMOVE p.lock
RETURN p.lastEventId AS lastEventId
