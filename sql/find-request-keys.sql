-- The events already logged under the Idempotency-Keys named; served by events_request_key.
SELECT request_key, kind, uuid, symbol, guess FROM events WHERE request_key IN (?)
