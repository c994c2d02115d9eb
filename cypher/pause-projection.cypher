// First step of a rebuild: pauses the projection. Every projector's apply-batch then finds no
// row, and projectors wait until restart-projection.cypher. Served by projection_name.
MATCH (p:Projection {name: 'event-log'})
SET p.paused = true
RETURN p.paused AS paused
