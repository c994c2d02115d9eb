// Last step of a rebuild's wipe: the emptied graph (no LogPosition left: every writer at 0) is
// at the start of log $logId, and projectors may catch up from there.
MATCH (p:Projection {name: 'event-log'})
WHERE p.paused
SET p.logId = $logId
REMOVE p.paused
RETURN p.logId AS logId
