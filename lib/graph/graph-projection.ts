import neo4j, { type Driver } from "neo4j-driver";
import { StoreUnavailableError } from "../data/data-errors.js";
import type { CommittedBatch, EventLog } from "./event-log.js";
import type { LoggedEvent } from "./logged-event.js";
import { isNeo4jUnavailable, prepareGraph, resetGraph } from "./neo4j.js";
import { projectionBatch } from "./projection-batch.js";
import { CYPHER } from "./statements.js";

/** How long a dashboard read waits for the graph to reach the log before answering 503. */
const CATCH_UP_WAIT_MS = 5000;
/** How long opening the backend waits for the graph to catch up before serving anyway. */
const STARTUP_WAIT_MS = 10_000;
/** Pause between attempts to reach Neo4j after it failed. */
const RETRY_MS = 1000;
/**
 * Live events held in memory for the next transaction. Past this the projection stops holding
 * them and reads them back from the log instead, so a slow graph cannot exhaust memory.
 */
const MAX_QUEUED_EVENTS = 50_000;
/**
 * Neo4j's cost per transaction is high next to its cost per event, so live batches are
 * gathered for up to LINGER_MS, or until LINGER_EVENTS are queued, before they are applied.
 * A dashboard read that is waiting for them cuts the wait short.
 */
const LINGER_MS = 200;
const LINGER_EVENTS = 1000;

/** The graph was not at the position this process thought: another applier moved it. */
class ProjectionMovedError extends Error {}

/** A rebuild has paused the projection (position -1); appliers wait for it to restart. */
class RebuildInProgressError extends Error {
  constructor() {
    super(
      "the graph is being rebuilt from the log (if no rebuild is running: npm run graph:rebuild)",
    );
  }
}

/**
 * Keeps the Neo4j graph equal to the MariaDB log. Committed batches from the event log are
 * applied in log order, all that queued up since the last transaction in one; each transaction
 * first moves the graph's recorded position from `from` to `to`, so no event is ever applied
 * twice. When Neo4j fails the projection falls behind, retries, and catches up by reading the
 * log from the graph's own position: after a restart, an outage or a rebuild alike.
 *
 * Writers do not wait for the graph; readers do (waitUntilCurrent), which is what makes a
 * dashboard read after a POST see that POST's event.
 */
export class GraphProjection {
  private applied = 0;
  private healthy = false;
  private closed = false;
  private queue: CommittedBatch[] = [];
  private queuedEvents = 0;
  private wake: () => void = () => {};
  private lingering = false;
  private connectedOnce = false;
  private readerWaiting = false;
  private worker: Promise<void> | null = null;
  private waiters = new Set<() => void>();
  private lastFailure = "not connected yet";

  constructor(
    private readonly driver: Driver,
    private readonly log: EventLog,
    private readonly chunkSize = 5000,
  ) {}

  /**
   * Starts the worker. Resolves once the graph has caught up with the log, at once if Neo4j is
   * down, and after STARTUP_WAIT_MS at most: a long catch-up (a rebuild) goes on while the
   * service takes writes, and dashboards answer 503 until it is done.
   */
  async start(): Promise<void> {
    const firstPass = new Promise<void>((resolve) => this.waiters.add(resolve));
    this.worker = this.run();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      firstPass,
      new Promise((resolve) => (timer = setTimeout(resolve, STARTUP_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  /** The graph's position in the log, as far as this process knows. */
  get position(): number {
    return this.applied;
  }

  /** Hands a committed batch over, to be applied soon; never waits. */
  enqueue(batch: CommittedBatch): void {
    if (batch.events.length === 0) return;
    // Past the limit the batch is dropped here: catch-up reads it back from the log.
    if (this.queuedEvents + batch.events.length <= MAX_QUEUED_EVENTS) {
      this.queue.push(batch);
      this.queuedEvents += batch.events.length;
    }
    if (!this.lingering || this.queuedEvents >= LINGER_EVENTS) this.wake();
  }

  /** Waits until the graph holds every event up to `position`; 503 if it cannot in time. */
  async waitUntilCurrent(position: number): Promise<void> {
    const deadline = Date.now() + CATCH_UP_WAIT_MS;
    if (this.applied < position) {
      this.readerWaiting = true;
      if (this.lingering) this.wake();
    }
    while (!this.healthy || this.applied < position) {
      if (!this.healthy) {
        throw new StoreUnavailableError(
          "Neo4j",
          `the graph cannot be reached (${this.lastFailure})`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new StoreUnavailableError("Neo4j", "the graph is still catching up with the log");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.worker;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        if (!this.healthy) await this.reconnect();
        if (this.queuedEvents > 0 && this.queuedEvents < LINGER_EVENTS && !this.readerWaiting) {
          this.lingering = true;
          await this.sleep(LINGER_MS);
          this.lingering = false;
        }
        this.readerWaiting = false;
        const taken = this.takeQueue();
        await this.applyQueued(taken);
        await this.catchUp(this.log.committedPosition);
      } catch (error) {
        this.fail(error);
      }
      this.notifyWaiters();
      if (this.closed) break;
      if (this.healthy && this.queue.length > 0) continue;
      await this.sleep(this.healthy ? undefined : RETRY_MS);
    }
  }

  /** Waits until `wake()` is called, or `ms` have passed when given. */
  private async sleep(ms?: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = () => {};
  }

  private async reconnect() {
    const logId = this.log.logId;
    await prepareGraph(this.driver, logId);
    const graph = await this.readPosition();
    const logEnd = await this.log.lastEventId();
    if (graph.logId !== logId || graph.position > logEnd) {
      // Only at start: a process that later finds the graph moved to another log (the stores
      // were replaced under it) stops writing instead of fighting over the graph.
      if (this.connectedOnce) throw new Error(`the graph now follows another log (${graph.logId})`);
      // Derived data that does not match the system of record: rebuild it from the log.
      console.warn(
        `the graph was built from another log (log ${graph.logId} at ${graph.position}; ` +
          `this log is ${logId}, at ${logEnd}): rebuilding it from the log`,
      );
      await resetGraph(this.driver, logId);
      this.applied = 0;
    } else {
      this.applied = graph.position;
    }
    this.connectedOnce = true;
    this.healthy = true;
  }

  private takeQueue(): CommittedBatch[] {
    this.queuedEvents = 0;
    return this.queue.splice(0);
  }

  private fail(error: unknown) {
    // Batches queued while Neo4j is down are not kept: the log has them, and catch-up reads them.
    this.takeQueue();
    this.healthy = false;
    this.lastFailure = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    const expected = isNeo4jUnavailable(error) || error instanceof RebuildInProgressError;
    if (!expected) console.error("graph projection failed:", error);
  }

  private notifyWaiters() {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }

  /** Applies contiguous live batches together; a gap is left to catch-up. */
  private async applyQueued(batches: CommittedBatch[]) {
    let i = 0;
    while (i < batches.length) {
      const from = batches[i]!.from;
      const events: LoggedEvent[] = [];
      let end = from;
      while (i < batches.length && batches[i]!.from === end) {
        events.push(...batches[i]!.events);
        end = events.at(-1)!.id;
        i++;
      }
      if (events.length === 0) {
        i++;
        continue;
      }
      if (this.applied === from) await this.write(from, events);
    }
  }

  /**
   * Reads the log from the graph's position and applies it until the graph reaches `target`,
   * reading the next chunk from MariaDB while Neo4j writes the current one.
   */
  async catchUp(target: number, onProgress?: (position: number, target: number) => void) {
    const read = (after: number) => {
      const chunk = this.log.eventsAfter(after, this.chunkSize);
      chunk.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
      return chunk;
    };
    let next = this.applied < target ? read(this.applied) : null;
    while (next) {
      const events = await next;
      if (events.length === 0) return;
      const last = events.at(-1)!.id;
      next = last < target ? read(last) : null;
      await this.write(this.applied, events);
      if (this.applied !== last) next = this.applied < target ? read(this.applied) : null;
      onProgress?.(this.applied, target);
    }
  }

  /** Catch-up for a process that has not read the graph's position yet (the rebuild). */
  async catchUpFromGraph(target: number, onProgress?: (position: number, target: number) => void) {
    this.applied = (await this.readPosition()).position;
    await this.catchUp(target, onProgress);
  }

  private async write(from: number, events: LoggedEvent[]) {
    const batch = projectionBatch(from, events);
    const session = this.driver.session({ defaultAccessMode: neo4j.session.WRITE });
    try {
      await session.executeWrite(async (tx) => {
        const result = await tx.run(CYPHER.applyBatch, {
          ...batch,
          from: neo4j.int(batch.from),
          to: neo4j.int(batch.to),
          logId: this.log.logId,
        });
        const applied = result.records[0];
        if (!applied) throw new ProjectionMovedError();
        expectApplied("sessions", applied.get("sessions"), batch.sessions.length);
        expectApplied("followups", applied.get("followups"), batch.followups.length);
      });
      this.applied = batch.to;
    } catch (error) {
      if (!(error instanceof ProjectionMovedError)) throw error;
      // Someone else (a rebuild, another applier) moved the graph: continue from where it is,
      // unless it now follows another log.
      const graph = await this.readPosition();
      if (graph.logId !== this.log.logId) {
        throw new Error(`the graph now follows another log (${graph.logId})`);
      }
      this.applied = graph.position;
    } finally {
      await session.close();
    }
  }

  private async readPosition(): Promise<{ position: number; logId: string | null }> {
    const session = this.driver.session({ defaultAccessMode: neo4j.session.READ });
    try {
      const result = await session.executeRead((tx) => tx.run(CYPHER.projectionPosition));
      const record = result.records[0];
      const position = record?.get("lastEventId") as number | undefined;
      if (position === undefined || position < 0) throw new RebuildInProgressError();
      return { position, logId: record!.get("logId") as string | null };
    } finally {
      await session.close();
    }
  }
}

/** A row that matched nothing is an event lost: fail the transaction instead. */
function expectApplied(what: string, applied: number | undefined, expected: number) {
  if ((applied ?? 0) !== expected) {
    throw new Error(`applied ${applied ?? 0} of ${expected} ${what}: the graph is missing nodes`);
  }
}
