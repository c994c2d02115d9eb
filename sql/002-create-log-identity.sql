-- Migration 002: a name for this log, made once. The graph records the name of the log it was
-- built from, so a graph left over from another log (a recreated database, another machine's
-- data) is recognised and rebuilt instead of being trusted.
CREATE TABLE IF NOT EXISTS log_identity (
  singleton TINYINT NOT NULL PRIMARY KEY CHECK (singleton = 1),
  log_id CHAR(36) CHARACTER SET ascii NOT NULL
) ENGINE = InnoDB
