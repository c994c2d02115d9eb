import type { Driver } from "neo4j-driver";
import { StoreUnavailableError } from "../backend/data-errors.js";
import { LEASE_RENEW_MS, type Leases } from "../log/leases.js";
import type { LogPositions } from "../log/log-positions.js";
import { isNeo4jUnavailable } from "../stores/neo4j.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import type { ProjectionSource } from "./apply-pass.js";
import { Applier } from "./applier.js";
import type { AppliedPositions } from "./applied-positions.js";
import { openGraph } from "./graph-identity.js";
import { RebuildInProgressError } from "./graph-state.js";
import { DEFAULT_LINGER, Linger, pauseAfterPass, type LingerLimits } from "./linger.js";

/** Pause between attempts to reach Neo4j (or the log) after a failure. */
const RETRY_MS = 1000;

/** What a projector tells the other processes of its service. */
export interface ProjectorNews {
  /** Where it is in the graph `graphId`: after each pass that moved, and every so often. */
  applied(graphId: string, positions: LogPositions): void;
  /** It cannot reach its graph, and why (after every failed attempt). */
  unreachable(problem: string): void;
}

/** What an operator wants to know about one Neo4j server's projection. */
export interface ProjectionStatus {
  server: string;
  reachable: boolean;
  projector: boolean;
  problem: string | null;
}

export interface ProjectorOptions {
  /** The server's address, for messages. */
  server: string;
  driver: Driver;
  log: ProjectionSource;
  leases: Leases;
  logId: string;
  /** Where this process's knowledge of the graph's positions is kept for its readers. */
  positions: AppliedPositions;
  /** Tells the other processes of this service about the graph (projection-peers.ts). */
  news: ProjectorNews;
  /** How often the positions are told again when nothing moves (news stays fresh meanwhile). */
  tellEveryMs: number;
  /** Whether readers of this process wait for the next pass (then it does not linger). */
  readersWaiting: () => boolean;
  chunkSize?: number;
  linger?: LingerLimits;
  telemetry?: Telemetry;
}

/**
 * Keeps one Neo4j server's graph equal to the MariaDB log. Every process that may project
 * runs one per server, and the one holding the server's projector lease applies: each pass
 * reads the head of each writer's sequence and the events up to it from the log, and applies
 * them in one transaction that moves each writer's recorded position from where it was to
 * where it goes, so no event is applied twice or skipped, whatever happened to their commits
 * and whoever applies (applier.ts). The others stand by and take over within seconds if it
 * dies. What to apply always comes from the log itself, never from a writer's memory.
 *
 * The loop: reach the graph and check it follows this log (graph-identity.ts), keep the lease,
 * run a pass, publish the positions, pause (linger.ts); on any failure, report it and retry.
 */
export class Projector {
  private readonly applier: Applier;
  private readonly linger: Linger;
  private graphId: string | null = null;
  private reachable = false;
  private projecting = false;
  private lastFailure = "not connected yet";
  private leaseCheckedAt = 0;
  private toldAt = 0;
  private closed = false;
  private worker: Promise<void> | null = null;
  private markConnected: () => void = () => {};
  private readonly connected = new Promise<void>((resolve) => (this.markConnected = resolve));

  constructor(private readonly options: ProjectorOptions) {
    this.applier = new Applier(options);
    this.linger = new Linger(options.linger ?? DEFAULT_LINGER);
  }

  /** Starts the loop; resolves after the first attempt to reach the graph (or `waitMs`). */
  async start(waitMs = 10_000): Promise<void> {
    this.worker = this.run();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.connected, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  /** Whether this process applies this server's projection now (it knows its position). */
  get isProjecting(): boolean {
    return this.reachable && this.projecting;
  }

  /** Null when the graph answered the last attempt; else the gist of why not. */
  get unreachable(): string | null {
    return this.reachable ? null : this.lastFailure;
  }

  get status(): ProjectionStatus {
    return {
      server: this.options.server,
      reachable: this.reachable,
      projector: this.projecting,
      problem: this.unreachable,
    };
  }

  /** `count` events were committed (here or in a process that told us): apply soon. */
  eventsCommitted(count: number): void {
    this.linger.eventsCommitted(count);
  }

  /** A reader waits for the next pass: stop lingering. */
  readerWaiting(): void {
    this.linger.readerWaiting();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.linger.interrupt();
    await this.worker;
    if (this.projecting && this.graphId) {
      await this.options.leases.release(projectorLease(this.graphId)).catch(() => {});
    }
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let pause = { ms: this.options.linger?.pollMs ?? DEFAULT_LINGER.pollMs, linger: false };
      try {
        if (!this.reachable) await this.connect();
        const became = await this.keepLease();
        if (!this.projecting) {
          pause = { ms: LEASE_RENEW_MS, linger: false };
        } else {
          const applied = await this.applier.pass();
          this.options.positions.applied(this.applier.positions);
          if (applied > 0 || became || Date.now() - this.toldAt > this.options.tellEveryMs) {
            this.toldAt = Date.now();
            this.options.news.applied(this.graphId!, this.applier.positions);
          }
          pause = pauseAfterPass(this.options.linger ?? DEFAULT_LINGER, {
            applied,
            chunk: this.applier.chunkNow,
            readersWaiting: this.options.readersWaiting(),
          });
        }
      } catch (error) {
        this.fail(error);
        pause = { ms: RETRY_MS, linger: false };
      }
      this.markConnected();
      if (this.closed) break;
      await this.linger.pause(pause);
    }
    this.options.positions.stopped();
  }

  /** Reaches the graph, prepares it and checks that it follows this log. */
  private async connect() {
    const { graphId, positions } = await openGraph(
      this.options.driver,
      this.options.log,
      this.options.logId,
    );
    this.graphId = graphId;
    this.options.positions.graphId = graphId;
    this.applier.startFrom(positions);
    this.reachable = true;
  }

  /** Takes or renews the lease at most every LEASE_RENEW_MS; true when it was just taken. */
  private async keepLease(): Promise<boolean> {
    if (Date.now() - this.leaseCheckedAt < LEASE_RENEW_MS) return false;
    this.leaseCheckedAt = Date.now();
    const was = this.projecting;
    this.projecting = await this.options.leases.take(projectorLease(this.graphId!));
    // A new projector starts from what the graph holds, whoever applied it.
    if (this.projecting && !was) await this.applier.fromGraph();
    if (!this.projecting && was) this.options.positions.stopped();
    return this.projecting && !was;
  }

  private fail(error: unknown) {
    this.reachable = false;
    this.projecting = false;
    this.leaseCheckedAt = 0;
    this.lastFailure = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    this.options.positions.stopped();
    this.options.news.unreachable(this.lastFailure);
    const expected =
      isNeo4jUnavailable(error) ||
      error instanceof RebuildInProgressError ||
      error instanceof StoreUnavailableError;
    if (!expected) console.error(`graph projection (${this.options.server}) failed:`, error);
  }
}

const projectorLease = (graphId: string) => `projector:${graphId}`;
