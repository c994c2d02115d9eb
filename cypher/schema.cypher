// Constraints and indexes, applied at start-up (each is IF NOT EXISTS, so re-applying is a no-op).
// The plain index comes first: CREATE INDEX returns at once and fills the index in the
// background, while CREATE CONSTRAINT waits for its own index, so on a freshly imported graph
// all of them are populated side by side (the caller then awaits them all).

// Range index on the initial's time: serves the edges (under 100 ms) of a range query.
CREATE RANGE INDEX session_at IF NOT EXISTS FOR (s:Session) ON (s.at);

// Graphs built before bucket_key served the range seek had a second index on every Bucket,
// bucket_span (grain, start), that each new bucket and the import's index phase paid for.
DROP INDEX bucket_span IF EXISTS;

// One node per letter; serves every MATCH (:Symbol {name}).
CREATE CONSTRAINT symbol_name IF NOT EXISTS FOR (s:Symbol) REQUIRE s.name IS UNIQUE;

// One node per session; serves the followup's MATCH (:Session {uuid}).
CREATE CONSTRAINT session_uuid IF NOT EXISTS FOR (s:Session) REQUIRE s.uuid IS UNIQUE;

// One bucket per (grain, start, symbol); its index serves the projection's MERGE and the
// range and series queries' seek "grain = g AND start in [from, to) AND symbol IS NOT NULL"
// (Neo4j 5.26 seeks a composite index only with a predicate on each of its properties; the
// symbol then comes from the index itself).
CREATE CONSTRAINT bucket_key IF NOT EXISTS
FOR (b:Bucket) REQUIRE (b.grain, b.start, b.symbol) IS UNIQUE;

// The projection's position in the MariaDB log.
CREATE CONSTRAINT projection_name IF NOT EXISTS FOR (p:Projection) REQUIRE p.name IS UNIQUE;

// One position per writer id of the log; serves apply-batch's MATCH and MERGE (:LogPosition {writer}).
CREATE CONSTRAINT log_position_writer IF NOT EXISTS
FOR (w:LogPosition) REQUIRE w.writer IS UNIQUE;
