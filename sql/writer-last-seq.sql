-- The last seq the writer has committed, read with a lock inside the writer's transaction: a
-- batch always continues its writer's sequence from what the log holds, never from a
-- process's memory, so a commit whose outcome was lost, a killed writer or a writer id taken
-- over cannot leave a gap or a duplicate (a concurrent writer of the same id waits here, or
-- fails on events_writer_seq). Served by events_writer_seq.
SELECT COALESCE(MAX(writer_seq), 0) AS seq FROM events WHERE writer_id = ? FOR UPDATE
