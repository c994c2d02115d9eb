// Last step of a rebuild's wipe: the emptied graph is at the start of log $logId, and appliers
// (the rebuild and any running service) may catch up from there.
MATCH (p:Projection {name: 'event-log'})
WHERE p.lastEventId = -1
SET p.lastEventId = 0, p.logId = $logId
RETURN p.lastEventId AS lastEventId
