-- The head of every writer's sequence: what the graph must have applied to hold everything
-- committed now. One statement, so one read view: a followup it covers has its initial
-- covered too. A loose scan of events_writer_seq, one step per writer. On a Galera node it
-- first waits until the node has applied what the cluster had committed (wsrep_sync_wait=1;
-- nothing without Galera): read-your-writes for a POST another node acknowledged.
SET STATEMENT wsrep_sync_wait = 1 FOR
SELECT writer_id, MAX(writer_seq) AS seq FROM events GROUP BY writer_id
