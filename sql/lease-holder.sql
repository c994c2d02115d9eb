-- Who holds the leases named, and whether each is still live. Primary-key reads.
SELECT name, holder, expires_at >= NOW(6) AS live FROM leases WHERE name IN (?)
