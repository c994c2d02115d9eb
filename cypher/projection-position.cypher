// How far the graph has applied the MariaDB log — the last seq applied of each writer — the
// name of the log it was built from, its own name (graphId: what projectors elect a leader
// for), and whether a rebuild has paused it. Served by projection_name; LogPosition nodes are
// one per writer id.
MATCH (p:Projection {name: 'event-log'})
RETURN p.logId AS logId, p.graphId AS graphId, p.paused IS NOT NULL AS paused,
       COLLECT { MATCH (w:LogPosition) RETURN [w.writer, w.seq] } AS positions
