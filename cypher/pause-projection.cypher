// First step of a rebuild: sets the projection's position to -1. Every applier's
// apply-batch then finds no row, and appliers wait until restart-projection.cypher.
// Served by the projection_name constraint.
MATCH (p:Projection {name: 'event-log'})
SET p.lastEventId = -1
RETURN p.lastEventId AS lastEventId
