-- The initial of each named session, its time as microseconds since the epoch; served by the
-- unique index events_initial_uuid.
SELECT uuid, symbol, guess, TIMESTAMPDIFF(MICROSECOND, '1970-01-01', created_at) AS at_us
FROM events
WHERE initial_uuid IN (?)
