// Constraints and indexes, applied at start-up (each is IF NOT EXISTS, so re-applying is a no-op).

// One node per letter; serves every MATCH (:Symbol {name}).
CREATE CONSTRAINT symbol_name IF NOT EXISTS FOR (s:Symbol) REQUIRE s.name IS UNIQUE;

// One node per session; serves the followup's MATCH (:Session {uuid}).
CREATE CONSTRAINT session_uuid IF NOT EXISTS FOR (s:Session) REQUIRE s.uuid IS UNIQUE;

// Range index on the initial's time: serves the sub-minute edges of a range query.
CREATE RANGE INDEX session_at IF NOT EXISTS FOR (s:Session) ON (s.at);

// One bucket per (grain, start, symbol); its index serves the projection's MERGE.
CREATE CONSTRAINT bucket_key IF NOT EXISTS
FOR (b:Bucket) REQUIRE (b.grain, b.start, b.symbol) IS UNIQUE;

// Can serve the range query's seek "grain = g AND start in [from, to)".
CREATE RANGE INDEX bucket_span IF NOT EXISTS FOR (b:Bucket) ON (b.grain, b.start);

// The projection's position in the MariaDB log.
CREATE CONSTRAINT projection_name IF NOT EXISTS FOR (p:Projection) REQUIRE p.name IS UNIQUE;
