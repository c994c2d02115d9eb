// How far the graph has applied one writer's sequence: what a process that is not this
// server's projector asks while a write batch of that writer is held back
// (lib/log/write-backpressure.ts). Served by log_position_writer.
OPTIONAL MATCH (w:LogPosition {writer: $writer})
RETURN coalesce(w.seq, 0) AS seq
