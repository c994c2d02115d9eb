import type { WriterProgress, WriterProgressSource } from "../log/write-backpressure.js";
import type { AppliedPositions } from "./applied-positions.js";

/**
 * A standby's question to the graph on behalf of a held write batch: short, since the batch
 * waits for it, and after a failure not asked again for a while (a hung server holds no
 * writes back).
 */
export const PROGRESS_READ = { txMs: 300, waitMs: 300 };
const PROGRESS_RETRY_MS = 1000;

export interface WriterProgressOptions {
  positions: AppliedPositions;
  /** Whether the graph can be reached at all (a projector here knows). */
  reachable: () => boolean;
  /** Asks the graph itself how far it has applied `writer` (bounded by PROGRESS_READ). */
  askGraph: (writer: number) => Promise<number>;
  now?: () => number;
}

/**
 * How far one graph has applied a writer's sequence, and when that last moved, for the write
 * backpressure (log/write-backpressure.ts): the own projector knows, the projector's news
 * tells a standby, and otherwise the graph is asked, briefly; null when none can say.
 */
export class GraphWriterProgress implements WriterProgressSource {
  /** The seq last seen of each writer, and since when (a standby's view). */
  private readonly seen = new Map<number, WriterProgress>();
  private failedAt = -Infinity;

  constructor(private readonly options: WriterProgressOptions) {}

  async progress(writer: number): Promise<WriterProgress | null> {
    if (!this.options.reachable()) return null;
    const known = this.options.positions.known();
    if (known && this.options.positions.projectingHere) {
      return { seq: known.positions.get(writer) ?? 0, movedAt: known.at };
    }
    if (known) return this.saw(writer, known.positions.get(writer) ?? 0);
    if (this.now() - this.failedAt < PROGRESS_RETRY_MS) return null;
    let seq: number;
    try {
      seq = await this.options.askGraph(writer);
    } catch {
      this.failedAt = this.now();
      return null;
    }
    return this.saw(writer, seq);
  }

  private saw(writer: number, seq: number): WriterProgress {
    const before = this.seen.get(writer);
    if (before?.seq === seq) return before;
    const now = { seq, movedAt: this.now() };
    this.seen.set(writer, now);
    return now;
  }

  private now() {
    return (this.options.now ?? Date.now)();
  }
}
