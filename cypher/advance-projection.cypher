// Moves the projection from $from to $to, first in every apply transaction: it takes the
// node's write lock, and returns no row when the graph is not at $from (already applied, or a
// gap), so the caller rolls back and never applies an event twice.
MATCH (p:Projection {name: 'event-log'})
SET p.lock = true
WITH p
WHERE p.lastEventId = $from
SET p.lastEventId = $to
REMOVE p.lock
RETURN p.lastEventId AS lastEventId
