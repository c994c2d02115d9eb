-- Migration 001: the raw event log, the system of record (SPEC "Data guarantees").
-- One row per accepted event; a followup row repeats its session's symbol and guess so that
-- analysts need no join for per-symbol questions.
CREATE TABLE IF NOT EXISTS events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  -- The API process that wrote the row and its place in that writer's own sequence: 1, 2, 3…
  -- with no gaps, committed in order (see insert-events.sql). The graph records how far it has
  -- applied each writer's sequence, which stays exact however commits of different writers
  -- interleave. Writer 0 holds rows logged before writers existed (their seq is their id).
  writer_id SMALLINT UNSIGNED NOT NULL,
  writer_seq BIGINT UNSIGNED NOT NULL,
  kind ENUM('initial', 'followup') NOT NULL,
  -- VARCHAR, not CHAR: MariaDB refuses CHAR columns in an indexed generated column's expression.
  uuid VARCHAR(36) CHARACTER SET ascii NOT NULL,
  symbol CHAR(1) CHARACTER SET ascii NOT NULL,
  guess BOOLEAN NOT NULL,
  created_at DATETIME(6) NOT NULL COMMENT 'server receipt time, UTC',
  -- The request's Idempotency-Key header, when it had one: a repeat of the key is answered
  -- from this row instead of being logged again.
  request_key VARCHAR(255) CHARACTER SET ascii NULL,
  -- Set only on initials: its unique index makes a session's initial unique (the retry and
  -- 409 rules) and finds a session's initial for a followup.
  initial_uuid VARCHAR(36) CHARACTER SET ascii AS (IF(kind = 'initial', uuid, NULL)) PERSISTENT,
  PRIMARY KEY (id),
  UNIQUE KEY events_writer_seq (writer_id, writer_seq),
  UNIQUE KEY events_initial_uuid (initial_uuid),
  UNIQUE KEY events_request_key (request_key)
) ENGINE = InnoDB
  COMMENT = 'vowelgraph raw events: every accepted POST /initial and /followup'
