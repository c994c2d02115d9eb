-- The initial of each named session; served by the unique index events_initial_uuid.
SELECT id, uuid, symbol, guess, created_at
FROM events
WHERE initial_uuid IN (?)
