import { randomUUID } from "node:crypto";
import neo4j, { type Driver } from "neo4j-driver";
import { StoreUnavailableError } from "../backend/data-errors.js";
import { LEASE_RENEW_MS, type Leases } from "../log/leases.js";
import type { LoggedEvent } from "../log/logged-event.js";
import { covers, eventsBehind, positionPairs, type LogPositions } from "../log/log-positions.js";
import type { LogReader } from "../log/log-reader.js";
import { boundedRead, isNeo4jUnavailable, prepareGraph, withinDeadline } from "../stores/neo4j.js";
import { projectionBatch } from "./projection-batch.js";
import { NO_PEERS, type PeerMessage, type ProjectionPeers } from "./projection-peers.js";
import { CYPHER } from "../stores/statements.js";
import type { WriterProgress } from "../log/write-backpressure.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";

/** Pause between attempts to reach Neo4j (or the log) after a failure. */
const RETRY_MS = 1000;
/** How often an idle projector looks for events that other processes committed. */
const POLL_MS = 50;
/**
 * How often a reader in a process that is not the projector asks the graph how far it is,
 * unless the projector's news (projection-peers.ts) comes sooner.
 */
const READ_POLL_MS = 10;
/** A standby tells the projector that readers wait at most this often. */
const WAITING_NUDGE_MS = 5;
/**
 * A standby trusts the projector's news this long. The projector repeats it at a quarter of
 * that when nothing moves, so it stays fresh while the projector lives; a projector gone quiet
 * (dead, or its graph replaced) leaves its standbys asking the graph again.
 */
const PEER_NEWS_MS = 1000;
/**
 * Neo4j's cost per transaction is high next to its cost per event, so after a transaction the
 * projector lets events gather for up to LINGER_MS before the next, unless LINGER_EVENTS were
 * committed here meanwhile or a reader here is waiting.
 */
const LINGER_MS = 100;
const LINGER_EVENTS = 1000;
/** Bounds one apply transaction in Neo4j (also db.transaction.timeout's job server-side). */
const APPLY_TIMEOUT_MS = 30_000;
/** How much longer this side waits for a transaction Neo4j should have stopped by itself. */
const APPLY_GRACE_MS = 5000;
/**
 * A transaction that ran out of time is tried again with half as many events, down to this
 * many: a server too slow for a full chunk within APPLY_TIMEOUT_MS (a small heap on a busy
 * host, a cold JVM after a restart) would otherwise fail the same catch-up for ever. The size
 * doubles again, up to chunkSize, after a transaction that took under a quarter of the limit.
 */
const MIN_CHUNK = 100;
/**
 * A standby's question to the graph on behalf of a held write batch: short, since the batch
 * waits for it, and after a failure not asked again for a while (a hung server holds no
 * writes back).
 */
const PROGRESS_READ = { txMs: 300, waitMs: 300 };
const PROGRESS_RETRY_MS = 1000;

/** The graph does not follow this log: it needs an operator, not a retry. */
export class GraphMismatchError extends Error {}

/** A rebuild has paused the projection; projectors wait for it to restart. */
class RebuildInProgressError extends Error {
  constructor() {
    super(
      "the graph is being rebuilt from the log (if no rebuild is running: npm run graph:rebuild)",
    );
  }
}

/** The graph was not where this projector thought: another projector moved it. */
class ProjectionMovedError extends Error {}

interface GraphState {
  logId: string | null;
  graphId: string | null;
  paused: boolean;
  positions: Map<number, number>;
}

interface Waiter {
  need: LogPositions;
  done(): void;
}

/** What an operator wants to know about one Neo4j server's projection. */
export interface ProjectionStatus {
  server: string;
  reachable: boolean;
  projector: boolean;
  problem: string | null;
}

/**
 * Keeps one Neo4j server's graph equal to the MariaDB log. Every API process runs one per
 * server, and the one holding the server's projector lease applies: it reads the head of each
 * writer's sequence and the events up to it from the log, and applies them in one transaction
 * that moves each writer's recorded position from where it was to where it goes, so no event
 * is applied twice or skipped, whatever happened to their commits and whoever applies. The
 * others stand by and take over within seconds if it dies. What to apply always comes from
 * the log itself, never from a writer's memory.
 *
 * Writers do not wait for the graph; readers do (waitFor), which is what makes a dashboard
 * read after a POST, on any process, see that POST's event.
 */
export class GraphProjection {
  private positions = new Map<number, number>();
  private reachable = false;
  private projector = false;
  private graphId: string | null = null;
  private lastFailure = "not connected yet";
  private closed = false;
  private leaseCheckedAt = 0;
  private wake: () => void = () => {};
  private lingering = false;
  private committedHere = 0;
  private readonly waiters = new Set<Waiter>();
  /** When this process's projector last finished a pass: the graph moved or was current. */
  private passedAt = 0;
  /** A standby's view of each writer's position: the seq it last saw, and since when. */
  private readonly seen = new Map<number, WriterProgress>();
  private progressFailedAt = 0;
  /** A standby's last news of the projector's positions, from a process of this service. */
  private peerApplied: { graphId: string; positions: LogPositions; at: number } | null = null;
  private readonly peerListeners = new Set<() => void>();
  private nudgedAt = 0;
  private toldAt = 0;
  private readonly peers: ProjectionPeers;
  private readonly unsubscribe: () => void;
  private worker: Promise<void> | null = null;
  private connected: Promise<void>;
  private markConnected: () => void = () => {};
  private readonly chunkSize: number;
  /** How many events the next transaction may apply (chunkSize, less after a timeout). */
  private chunkNow: number;
  private readonly telemetry: Telemetry;

  constructor(
    /** The server's address, for messages. */
    readonly server: string,
    private readonly driver: Driver,
    private readonly log: LogReader,
    private readonly leases: Leases,
    private readonly logId: string,
    {
      chunkSize = 5000,
      telemetry = NO_TELEMETRY,
      peers = NO_PEERS,
    }: { chunkSize?: number; telemetry?: Telemetry; peers?: ProjectionPeers } = {},
  ) {
    this.chunkSize = chunkSize;
    this.chunkNow = chunkSize;
    this.telemetry = telemetry;
    this.peers = peers;
    this.unsubscribe = peers.subscribe((message) => this.heard(message));
    this.connected = new Promise((resolve) => (this.markConnected = resolve));
  }

  /** Starts the loop; resolves after the first attempt to reach the graph (or `waitMs`). */
  async start(waitMs = 10_000): Promise<void> {
    this.worker = this.run();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.connected, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  /** A hint that this process committed `count` events: apply soon (or have the projector). */
  committed(count: number): void {
    if (!this.isProjector) {
      this.peers.publish({ server: this.server, kind: "committed", events: count });
      return;
    }
    this.committedHere += count;
    if (!this.lingering || this.committedHere >= LINGER_EVENTS) this.wake();
  }

  get status(): ProjectionStatus {
    return {
      server: this.server,
      reachable: this.reachable,
      projector: this.projector,
      problem: this.reachable ? null : this.lastFailure,
    };
  }

  /** Whether this process applies this server's projection now (it knows its position). */
  get isProjector(): boolean {
    return this.reachable && this.projector;
  }

  /**
   * Waits until the graph holds every event of `need`, until `deadline` (epoch ms); then 503.
   * The projector knows its position; another process asks the graph.
   */
  async waitFor(need: LogPositions, deadline: number): Promise<void> {
    for (;;) {
      if (!this.reachable) {
        throw new StoreUnavailableError("Neo4j", `${this.server}: ${this.lastFailure}`);
      }
      if (this.isProjector) {
        if (covers(this.positions, need)) return;
        await this.waitHere(need, deadline);
      } else {
        if (this.peerCovers(need)) return;
        this.nudgeProjector();
        if (covers((await this.readState()).positions, need)) return;
        await this.peerNews(READ_POLL_MS);
        if (this.peerCovers(need)) return;
      }
      if (Date.now() >= deadline) {
        throw new StoreUnavailableError(
          "Neo4j",
          `${this.server} is still catching up with the log`,
        );
      }
    }
  }

  /**
   * Readers waiting here for the projector to apply their events: each holds one entry and one
   * timer while it waits, however many passes or polls it waits through.
   */
  get readersWaiting(): number {
    return this.waiters.size;
  }

  /** The graph's positions: known here by its projector, asked of the graph by the others. */
  async positionsNow(): Promise<LogPositions> {
    return this.isProjector ? new Map(this.positions) : (await this.readState()).positions;
  }

  /** The graph's positions as the graph itself says now: what an operator's probe asks. */
  async probePositions(): Promise<LogPositions> {
    return (await this.readState()).positions;
  }

  /** How many events the graph lacks of `need` (null if it cannot be asked). */
  async lag(need: LogPositions): Promise<number | null> {
    try {
      return eventsBehind(await this.positionsNow(), need);
    } catch {
      return null;
    }
  }

  /**
   * How far this graph has applied `writer`, and when that last moved (write-backpressure.ts):
   * the projector knows; a standby asks the graph, briefly; null when neither can say.
   */
  async progress(writer: number): Promise<WriterProgress | null> {
    if (!this.reachable) return null;
    if (this.isProjector) return { seq: this.positions.get(writer) ?? 0, movedAt: this.passedAt };
    const news = this.freshNews();
    if (news) return this.sawProgress(writer, news.positions.get(writer) ?? 0);
    if (Date.now() - this.progressFailedAt < PROGRESS_RETRY_MS) return null;
    let seq: number;
    try {
      const [record] = await boundedRead(
        this.driver,
        CYPHER.writerPosition,
        { writer },
        PROGRESS_READ,
      );
      seq = Number(record?.get("seq") ?? 0);
    } catch {
      this.progressFailedAt = Date.now();
      return null;
    }
    return this.sawProgress(writer, seq);
  }

  private sawProgress(writer: number, seq: number): WriterProgress {
    const before = this.seen.get(writer);
    if (before?.seq === seq) return before;
    const now = { seq, movedAt: Date.now() };
    this.seen.set(writer, now);
    return now;
  }

  /**
   * Applies the log until the graph holds `target`, lease or not: what a rebuild does. Safe
   * beside a running projector, since each transaction checks the positions it moves.
   */
  async catchUp(target: LogPositions, onProgress?: (behind: number) => void): Promise<void> {
    this.positions = (await this.readState()).positions;
    while (!covers(this.positions, target)) {
      await this.pass();
      onProgress?.(eventsBehind(this.positions, target));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.wake();
    await this.worker;
    if (this.projector && this.graphId) {
      await this.leases.release(projectorLease(this.graphId)).catch(() => {});
    }
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let pause: number | undefined = POLL_MS;
      const wasProjector = this.isProjector;
      try {
        if (!this.reachable) await this.connect();
        await this.keepLease();
        if (!this.projector) {
          pause = LEASE_RENEW_MS;
        } else {
          this.committedHere = 0;
          const applied = await this.pass();
          this.passedAt = Date.now();
          if (applied > 0 || !wasProjector || Date.now() - this.toldAt > PEER_NEWS_MS / 4) {
            this.tellPeers();
          }
          this.settleWaiters();
          if (applied >= this.chunkNow) pause = 0;
          else if (applied > 0 && this.waiters.size === 0) pause = LINGER_MS;
        }
      } catch (error) {
        this.fail(error);
        this.settleWaiters();
        pause = RETRY_MS;
      }
      this.markConnected();
      if (this.closed) break;
      if (pause > 0) await this.sleep(pause, pause === LINGER_MS);
    }
    this.settleWaiters();
  }

  /** Waits `ms` or until woken; while lingering, only a reader or a full batch wakes it. */
  private async sleep(ms: number, linger: boolean): Promise<void> {
    this.lingering = linger;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = () => {};
    this.lingering = false;
  }

  /** Reaches the graph, prepares it and checks that it follows this log. */
  private async connect() {
    await prepareGraph(this.driver, this.logId, randomUUID());
    const state = await this.readState();
    if (state.paused) throw new RebuildInProgressError();
    const rebuild = "run `npm run graph:rebuild` to rebuild it from the log";
    if (state.logId !== this.logId) {
      throw new GraphMismatchError(
        `the graph was built from another log (${state.logId}; this log is ${this.logId}): ${rebuild}`,
      );
    }
    const heads = await this.log.heads();
    if (!covers(heads, state.positions)) {
      throw new GraphMismatchError(`the graph is ahead of this log: ${rebuild}`);
    }
    this.graphId = state.graphId;
    this.positions = state.positions;
    this.reachable = true;
  }

  /** Takes or renews the projector lease at most every LEASE_RENEW_MS. */
  private async keepLease() {
    if (Date.now() - this.leaseCheckedAt < LEASE_RENEW_MS) return;
    this.leaseCheckedAt = Date.now();
    const was = this.projector;
    this.projector = await this.leases.take(projectorLease(this.graphId!));
    // A new projector starts from what the graph holds, whoever applied it.
    if (this.projector && !was) this.positions = (await this.readState()).positions;
  }

  /** Applies what the log has beyond the graph, up to chunkNow events; returns how many. */
  private async pass(): Promise<number> {
    const heads = await this.log.heads();
    const moves: { writer: number; from: number; to: number }[] = [];
    const events: LoggedEvent[] = [];
    let budget = this.chunkNow;
    for (const [writer, head] of heads) {
      const from = this.positions.get(writer) ?? 0;
      if (head <= from || budget <= 0) continue;
      const page = await this.log.writerEvents(writer, from, head, budget);
      // Everything of this writer up to its head is final (its sequence commits in order), so
      // a page that did not fill up reaches the head even where old rows left gaps in seq.
      const to = page.length === budget ? page.at(-1)!.seq : head;
      moves.push({ writer, from, to });
      events.push(...page);
      budget -= page.length;
    }
    if (moves.length === 0) return 0;
    return (await this.write(moves, events)) ? events.length : 0;
  }

  /**
   * Applies one transaction; false if it applied nothing: it ran out of time (the next one is
   * smaller), or another projector had moved the graph (this one now starts from there).
   */
  private async write(
    moves: { writer: number; from: number; to: number }[],
    events: LoggedEvent[],
  ): Promise<boolean> {
    const batch = projectionBatch(moves, events);
    const started = performance.now();
    const session = this.driver.session({ defaultAccessMode: neo4j.session.WRITE });
    try {
      const applying = session.executeWrite(
        async (tx) => {
          const result = await tx.run(CYPHER.applyBatch, { ...batch, logId: this.logId });
          const applied = result.records[0];
          if (!applied) throw new ProjectionMovedError();
          expectApplied("sessions", applied.get("sessions"), batch.sessions.length);
          expectApplied("followups", applied.get("followups"), batch.followups.length);
        },
        { timeout: APPLY_TIMEOUT_MS },
      );
      await withinDeadline(applying, APPLY_TIMEOUT_MS + APPLY_GRACE_MS);
      for (const move of moves) this.positions.set(move.writer, move.to);
      const ms = performance.now() - started;
      this.telemetry.projectionApplied(events.length, ms / 1000);
      if (ms < APPLY_TIMEOUT_MS / 4) this.chunkNow = Math.min(this.chunkSize, this.chunkNow * 2);
      return true;
    } catch (error) {
      if (ranOutOfTime(error) && events.length > MIN_CHUNK) {
        // Nothing moved (or, if this side stopped waiting, the next transaction finds out from
        // the positions it checks): try again at once with less, still connected.
        this.chunkNow = Math.max(MIN_CHUNK, Math.floor(events.length / 2));
        console.error(
          `graph projection (${this.server}): ${events.length} events did not apply within ` +
            `${APPLY_TIMEOUT_MS} ms; next transactions apply at most ${this.chunkNow}`,
        );
        return false;
      }
      if (!(error instanceof ProjectionMovedError)) throw error;
      // Another projector (a frozen one that woke up, a rebuild) moved the graph: go on from
      // where it is now.
      const state = await this.readState();
      if (state.paused) throw new RebuildInProgressError();
      this.positions = state.positions;
      return false;
    } finally {
      await session.close();
    }
  }

  private async readState(): Promise<GraphState> {
    const [record] = await boundedRead(this.driver, CYPHER.projectionPosition, {});
    if (!record) throw new RebuildInProgressError();
    const pairs = record.get("positions") as [number, number][];
    return {
      logId: record.get("logId") as string | null,
      graphId: record.get("graphId") as string | null,
      paused: record.get("paused") as boolean,
      positions: new Map(pairs.map(([writer, seq]) => [Number(writer), Number(seq)])),
    };
  }

  private heard(message: PeerMessage) {
    if (message.server !== this.server) return;
    if (message.kind === "committed") {
      if (this.isProjector) this.committed(message.events);
    } else if (message.kind === "waiting") {
      if (this.isProjector && this.lingering) this.wake();
    } else if (!this.isProjector) {
      this.peerApplied = {
        graphId: message.graphId,
        positions: new Map(message.positions),
        at: Date.now(),
      };
      for (const listener of [...this.peerListeners]) listener();
    }
  }

  /** The projector's positions, as it last told this standby, cover `need` in this graph. */
  private peerCovers(need: LogPositions): boolean {
    const news = this.freshNews();
    return news !== null && covers(news.positions, need);
  }

  /** The projector's latest news about this graph, unless it is older than PEER_NEWS_MS. */
  private freshNews() {
    const news = this.peerApplied;
    const fresh = news && news.graphId === this.graphId && Date.now() - news.at < PEER_NEWS_MS;
    return fresh ? news : null;
  }

  private nudgeProjector() {
    if (Date.now() - this.nudgedAt < WAITING_NUDGE_MS) return;
    this.nudgedAt = Date.now();
    this.peers.publish({ server: this.server, kind: "waiting" });
  }

  private tellPeers() {
    if (!this.graphId) return;
    this.toldAt = Date.now();
    this.peers.publish({
      server: this.server,
      kind: "applied",
      graphId: this.graphId,
      positions: positionPairs(this.positions),
    });
  }

  /** Until the projector's next news or `ms`, whichever comes first. */
  private peerNews(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.peerListeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.peerListeners.add(done);
    });
  }

  private waitHere(need: LogPositions, deadline: number): Promise<void> {
    this.telemetry.readersWaiting(1);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        need,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          this.telemetry.readersWaiting(-1);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, Math.max(0, deadline - Date.now()));
      this.waiters.add(waiter);
      if (this.lingering) this.wake();
    });
  }

  /** Releases the readers whose events are in, and every reader if the graph is unreachable. */
  private settleWaiters() {
    for (const waiter of [...this.waiters]) {
      if (!this.isProjector || covers(this.positions, waiter.need)) waiter.done();
    }
  }

  private fail(error: unknown) {
    this.reachable = false;
    this.projector = false;
    this.leaseCheckedAt = 0;
    this.lastFailure = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    const expected =
      isNeo4jUnavailable(error) ||
      error instanceof RebuildInProgressError ||
      error instanceof StoreUnavailableError;
    if (!expected) console.error(`graph projection (${this.server}) failed:`, error);
  }
}

const projectorLease = (graphId: string) => `projector:${graphId}`;

/** Neo4j stopped the transaction at its time limit, or this side stopped waiting for it. */
function ranOutOfTime(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return /no answer within/.test(error.message);
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === "string" &&
    (code.includes("TransactionTimedOut") ||
      (code.includes("LockClientStopped") && /terminated/i.test((error as Error).message)))
  );
}

/** A row that matched nothing is an event lost: fail the transaction instead. */
function expectApplied(what: string, applied: number | undefined, expected: number) {
  if ((applied ?? 0) !== expected) {
    throw new Error(`applied ${applied ?? 0} of ${expected} ${what}: the graph is missing nodes`);
  }
}
