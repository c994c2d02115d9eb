-- Migration 003: names the log on its first start; later starts keep the name.
INSERT IGNORE INTO log_identity (singleton, log_id) VALUES (1, UUID())
