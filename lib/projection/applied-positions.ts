import type { LogPositions } from "../log/log-positions.js";

/**
 * What this process knows, without asking, of how far one graph has applied the log: the
 * positions its own projector applied (exact while it projects), or else the news of the
 * projector in another process of this service, trusted for `newsMs` and only for the graph it
 * was about (positions only move forward while a graph keeps its id). Readers and the write
 * backpressure consult it; listeners hear of every change, including the own projector
 * stopping, so that whoever waits on it looks again.
 */
export class AppliedPositions {
  private own: { positions: LogPositions; at: number } | null = null;
  private news: { graphId: string; positions: LogPositions; at: number } | null = null;
  private currentGraph: string | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly options: { newsMs: number; now?: () => number } = { newsMs: 1000 },
  ) {}

  /** The id of the graph the positions are about (set when a projector here reaches it). */
  get graphId(): string | null {
    return this.currentGraph;
  }

  set graphId(graphId: string | null) {
    this.currentGraph = graphId;
  }

  /** This process's projector applied (or found current) `positions`. */
  applied(positions: LogPositions): void {
    this.own = { positions: new Map(positions), at: this.now() };
    this.changed();
  }

  /** This process's projector stopped projecting (lost its lease, or the graph). */
  stopped(): void {
    this.own = null;
    this.changed();
  }

  /** The projector in another process told where it is in the graph `graphId`. */
  heard(graphId: string, positions: LogPositions): void {
    this.news = { graphId, positions, at: this.now() };
    this.changed();
  }

  /** Whether this process's projector is the one applying (its positions are exact). */
  get projectingHere(): boolean {
    return this.own !== null;
  }

  /** The positions known now, and since when: the own projector's, or fresh news; else null. */
  known(): { positions: LogPositions; at: number } | null {
    if (this.own) return this.own;
    const news = this.news;
    const fresh =
      news !== null &&
      news.graphId === this.currentGraph &&
      this.now() - news.at < this.options.newsMs;
    return fresh ? news : null;
  }

  /** Calls `listener` on every change until the returned function is called. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    for (const listener of [...this.listeners]) listener();
  }

  private now() {
    return (this.options.now ?? Date.now)();
  }
}
