-- Appends a batch of followups whose sessions find-sessions.sql found.
INSERT INTO events (kind, uuid, symbol, guess, created_at)
VALUES ?
RETURNING id, uuid
