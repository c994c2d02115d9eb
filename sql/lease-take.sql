-- Takes the lease $1 for holder $2 for $3 microseconds if it is free, expired or already
-- this holder's (a renewal); leaves another holder's live lease alone. MariaDB applies the
-- assignments left to right, so expires_at sees the holder just decided. Primary-key upsert.
INSERT INTO leases (name, holder, expires_at)
VALUES (?, ?, NOW(6) + INTERVAL ? MICROSECOND)
ON DUPLICATE KEY UPDATE
  holder = IF(expires_at < NOW(6) OR holder = VALUES(holder), VALUES(holder), holder),
  expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)
