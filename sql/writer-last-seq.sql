-- The last seq the writer has committed, read with a lock inside the writer's transaction: a
-- batch always continues its writer's sequence from what the log holds, never from a
-- process's memory, so a commit whose outcome was lost, a killed writer or a writer id taken
-- over cannot leave a gap or a duplicate (a concurrent writer of the same id waits here, or
-- fails on events_writer_seq). Served by events_writer_seq.
-- On a Galera node it first waits until the node has applied every write set the cluster had
-- committed (wsrep_sync_wait=1; nothing without Galera), so the batch's rules, read next, see
-- a session that another node acknowledged: its followup here is no 404, its retry no new row.
SET STATEMENT wsrep_sync_wait = 1 FOR
SELECT COALESCE(MAX(writer_seq), 0) AS seq FROM events WHERE writer_id = ? FOR UPDATE
