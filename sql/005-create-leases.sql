-- Migration 005: leases, each held by one process until it stops renewing it: which writer id
-- an API process writes as, and which process projects the log into each Neo4j server. A
-- table rather than GET_LOCK, which Galera refuses; exactness never rests on a lease (see
-- insert-events.sql and cypher/apply-batch.cypher), a lease only keeps processes from
-- getting in each other's way.
CREATE TABLE IF NOT EXISTS leases (
  name VARCHAR(190) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  holder VARCHAR(100) CHARACTER SET ascii NOT NULL COMMENT 'host:pid:nonce of the holder',
  expires_at DATETIME(6) NOT NULL
) ENGINE = InnoDB
