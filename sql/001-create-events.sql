-- Migration 001: the raw event log, the system of record (SPEC "Data guarantees").
-- One row per accepted event; a followup row repeats its session's symbol and guess so that
-- analysts need no join for per-symbol questions.
CREATE TABLE IF NOT EXISTS events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind ENUM('initial', 'followup') NOT NULL,
  -- VARCHAR, not CHAR: MariaDB refuses CHAR columns in an indexed generated column's expression.
  uuid VARCHAR(36) CHARACTER SET ascii NOT NULL,
  symbol CHAR(1) CHARACTER SET ascii NOT NULL,
  guess BOOLEAN NOT NULL,
  created_at DATETIME(6) NOT NULL COMMENT 'server receipt time, UTC',
  -- Set only on initials: its unique index makes a session's initial unique (the retry and
  -- 409 rules) and finds a session's initial for a followup.
  initial_uuid VARCHAR(36) CHARACTER SET ascii AS (IF(kind = 'initial', uuid, NULL)) PERSISTENT,
  PRIMARY KEY (id),
  UNIQUE KEY events_initial_uuid (initial_uuid)
) ENGINE = InnoDB
  COMMENT = 'vowelgraph raw events: every accepted POST /initial and /followup';
