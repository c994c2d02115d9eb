// How far the graph has applied the MariaDB log (the id of the last event applied), and the
// name of the log it was built from. Served by the projection_name constraint.
MATCH (p:Projection {name: 'event-log'})
RETURN p.lastEventId AS lastEventId, p.logId AS logId
