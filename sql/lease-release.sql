-- Gives up a lease this holder has, so a stand-by takes over at once rather than at expiry.
DELETE FROM leases WHERE name = ? AND holder = ?
