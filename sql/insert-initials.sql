-- Appends a batch of initials. IGNORE skips a uuid that already has its initial (a retry or
-- a conflict, told apart afterwards by find-sessions.sql); RETURNING names the rows written.
INSERT IGNORE INTO events (kind, uuid, symbol, guess, created_at)
VALUES ?
RETURNING id, uuid, symbol, guess, created_at
