-- Every table the migrations (001..005) create: what the tests and the benchmark drop to start
-- a new, empty log on their scratch database. The service itself never runs it.
DROP TABLE IF EXISTS events, log_identity, leases
