-- Appends a batch of one writer: initials and followups, each with its (writer_id, writer_seq)
-- continuing writer-last-seq.sql. No IGNORE: a duplicate (a session or Idempotency-Key
-- logged meanwhile by another writer, a seq taken) fails the statement and the whole
-- transaction is retried.
INSERT INTO events (writer_id, writer_seq, kind, uuid, symbol, guess, created_at, request_key)
VALUES ?
