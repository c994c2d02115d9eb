/**
 * How far one graph has applied one writer's sequence, and when that last moved; null when the
 * graph cannot say at once (down, hung, not reached yet).
 */
export interface WriterProgress {
  seq: number;
  /** Epoch ms of the last apply (or check) that moved this writer's position or found it current. */
  movedAt: number;
}

export interface BackpressureLimits {
  /** A commit of this process still missing from a live graph after this long holds writes. */
  lagMs: number;
  /** A graph whose position has not moved for this long is stalled: it holds nothing back. */
  stallMs: number;
  /** No batch is held longer than this, whatever the graphs do. */
  maxHoldMs: number;
  /** How often a held batch asks the graphs again. */
  pollMs: number;
}

export const DEFAULT_BACKPRESSURE: BackpressureLimits = {
  lagMs: 1000,
  stallMs: 2000,
  maxHoldMs: 3000,
  pollMs: 20,
};

/** What one graph can say about how far it has applied a writer (projection/writer-progress.ts). */
export interface WriterProgressSource {
  progress(writer: number): Promise<WriterProgress | null>;
}

export interface WriteBackpressureOptions {
  /** The graphs this process's commits must reach: every Neo4j server's. */
  graphs: () => readonly WriterProgressSource[];
  /** This process's writer id. */
  writer: () => number;
  limits?: BackpressureLimits;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Commits older than this are forgotten, answered or not: the list stays bounded. */
const FORGET_MS = 60_000;

/**
 * Holds this process's next write batch back while a graph that is working is more than
 * `lagMs` behind this process's own commits. Reads wait for the graph to hold every commit
 * before them (read-your-writes), so a projection that falls ever further behind sustained
 * ingest turns every dashboard into a 503; held writes instead slow the ingest to what the
 * projection applies, and the reads stay within their bound. A graph that is down, hung or
 * stalled holds nothing back: POSTs must go on being logged while Neo4j is away, and there is
 * nothing to wait for. Each process gates only its own writer, so it needs no word from the
 * others, on this host or another.
 */
export class WriteBackpressure {
  /** This process's commits not known to be in every live graph: the last seq of each, and when. */
  private commits: { seq: number; at: number }[] = [];

  private readonly graphs: () => readonly WriterProgressSource[];
  private readonly writer: () => number;
  private readonly limits: BackpressureLimits;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: WriteBackpressureOptions) {
    this.graphs = options.graphs;
    this.writer = options.writer;
    this.limits = options.limits ?? DEFAULT_BACKPRESSURE;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** This process committed its sequence up to `seq`. */
  committed(seq: number): void {
    this.commits.push({ seq, at: this.now() });
  }

  /** Resolves when the next batch may be written; the milliseconds it was held. */
  async admit(): Promise<number> {
    const started = this.now();
    while (this.now() - started < this.limits.maxHoldMs && (await this.behind())) {
      await this.sleep(this.limits.pollMs);
    }
    return this.now() - started;
  }

  /** How many commits it still tracks (bounded: for tests and metrics). */
  get tracked(): number {
    return this.commits.length;
  }

  /** Whether a working graph lacks a commit of ours older than `lagMs`. */
  private async behind(): Promise<boolean> {
    const now = this.now();
    while (this.commits.length > 0 && now - this.commits[0]!.at > FORGET_MS) this.commits.shift();
    const due = this.lastDue(now);
    if (due === undefined) return false;
    const writer = this.writer();
    const answers = await Promise.all(
      this.graphs().map((graph) => graph.progress(writer).catch(() => null)),
    );
    const known = answers.filter((answer): answer is WriterProgress => answer !== null);
    if (known.length > 0) {
      const applied = Math.min(...known.map((answer) => answer.seq));
      while (this.commits.length > 0 && this.commits[0]!.seq <= applied) this.commits.shift();
    }
    return known.some(
      (answer) => answer.seq < due && this.now() - answer.movedAt < this.limits.stallMs,
    );
  }

  /** The last seq of the newest commit older than `lagMs`, if any. */
  private lastDue(now: number): number | undefined {
    let due: number | undefined;
    for (const commit of this.commits) {
      if (now - commit.at <= this.limits.lagMs) break;
      due = commit.seq;
    }
    return due;
  }
}
