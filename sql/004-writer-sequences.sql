-- Migration 004: a log created before writer sequences (migration 001 of an earlier release)
-- gets them: its rows become writer 0, seq = id, and the Idempotency-Key column. Each
-- statement is a no-op on a log that already has them.
ALTER TABLE events
  ADD COLUMN IF NOT EXISTS writer_id SMALLINT UNSIGNED NOT NULL DEFAULT 0 AFTER id,
  ADD COLUMN IF NOT EXISTS writer_seq BIGINT UNSIGNED NULL AFTER writer_id,
  ADD COLUMN IF NOT EXISTS request_key VARCHAR(255) CHARACTER SET ascii NULL AFTER created_at;
UPDATE events SET writer_seq = id WHERE writer_seq IS NULL;
ALTER TABLE events
  MODIFY writer_id SMALLINT UNSIGNED NOT NULL,
  MODIFY writer_seq BIGINT UNSIGNED NOT NULL,
  ADD UNIQUE KEY IF NOT EXISTS events_writer_seq (writer_id, writer_seq),
  ADD UNIQUE KEY IF NOT EXISTS events_request_key (request_key);
