-- The name of this log (see migration 002); one primary-key read.
SELECT log_id FROM log_identity WHERE singleton = 1
