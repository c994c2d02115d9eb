import type { Driver } from "neo4j-driver";
import type { LogPositions } from "../log/log-positions.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";
import {
  applyPass,
  ProjectionMovedError,
  ranOutOfTime,
  readPass,
  type ApplyLimits,
  type ProjectionSource,
} from "./apply-pass.js";
import { ChunkSize } from "./chunk-size.js";
import { readGraphState, RebuildInProgressError } from "./graph-state.js";

/** Bounds one apply transaction in Neo4j (also db.transaction.timeout's job server-side). */
export const APPLY_LIMITS: ApplyLimits = { timeoutMs: 30_000, graceMs: 5000 };
/** The smallest transaction a timeout halves the chunk down to. */
const MIN_CHUNK = 100;

export interface ApplierOptions {
  /** The server's address, for messages. */
  server: string;
  driver: Driver;
  log: ProjectionSource;
  logId: string;
  /** Events per transaction at most. */
  chunkSize?: number;
  telemetry?: Telemetry;
  limits?: ApplyLimits;
}

/**
 * Applies the log to one graph, a transaction at a time, from the positions it holds: what a
 * projector does each pass, and what a rebuild's catch-up repeats until it reaches the log's
 * end. Keeps the positions the graph is known to hold and the size of the next transaction.
 */
export class Applier {
  private held = new Map<number, number>();
  private readonly chunk: ChunkSize;
  private readonly limits: ApplyLimits;

  constructor(private readonly options: ApplierOptions) {
    this.limits = options.limits ?? APPLY_LIMITS;
    this.chunk = new ChunkSize({
      max: options.chunkSize ?? 5000,
      min: MIN_CHUNK,
      timeLimitMs: this.limits.timeoutMs,
    });
  }

  /** The positions the graph holds, as far as this applier knows. */
  get positions(): LogPositions {
    return this.held;
  }

  /** Events the next transaction may apply. */
  get chunkNow(): number {
    return this.chunk.now;
  }

  /** Starts from what the graph says it holds now (whoever applied it). */
  async fromGraph(): Promise<void> {
    this.startFrom((await readGraphState(this.options.driver)).positions);
  }

  startFrom(positions: LogPositions): void {
    this.held = new Map(positions);
  }

  /**
   * Applies what the log has beyond the graph, up to one chunk, in one transaction; returns how
   * many events it applied: 0 when the graph holds everything, or when the transaction ran
   * out of time (the next is smaller) or found that another projector had moved the graph
   * (this one then goes on from where the graph is).
   */
  async pass(): Promise<number> {
    const { driver, log, logId, server, telemetry = NO_TELEMETRY } = this.options;
    const pass = await readPass(log, await log.heads(), this.held, this.chunk.now);
    if (pass.moves.length === 0) return 0;
    const started = performance.now();
    try {
      await applyPass(driver, logId, pass, this.limits);
    } catch (error) {
      if (ranOutOfTime(error) && this.chunk.ranOutOfTime(pass.events.length)) {
        // Nothing moved (or, if this side stopped waiting, the next transaction finds out from
        // the positions it checks): try again at once with less, still connected.
        console.error(
          `graph projection (${server}): ${pass.events.length} events did not apply within ` +
            `${this.limits.timeoutMs} ms; next transactions apply at most ${this.chunk.now}`,
        );
        return 0;
      }
      if (!(error instanceof ProjectionMovedError)) throw error;
      // Another projector (a frozen one that woke up, a rebuild) moved the graph.
      const state = await readGraphState(driver);
      if (state.paused) throw new RebuildInProgressError();
      this.startFrom(state.positions);
      return 0;
    }
    for (const move of pass.moves) this.held.set(move.writer, move.to);
    const ms = performance.now() - started;
    telemetry.projectionApplied(pass.events.length, ms / 1000);
    this.chunk.applied(ms);
    return pass.events.length;
  }
}
