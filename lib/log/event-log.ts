import type { WriteOptions } from "../backend/data-interface.js";
import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import {
  OutcomeUnknownError,
  StoreBusyError,
  StoreUnavailableError,
} from "../backend/data-errors.js";
import { formatMicros } from "../model/timestamp.js";
import { planBatch, type KeyedRequest, type KnownSession, type LogRequest } from "./batch-plan.js";
import { LEASE_RENEW_MS, type Leases } from "./leases.js";
import type { LoggedEvent } from "./logged-event.js";
import { isRetryableConflict, QUERY_TIMEOUT_MS, translateMariadbError } from "../stores/mariadb.js";
import { SQL } from "../stores/statements.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";

interface Pending {
  request: LogRequest;
  signal: AbortSignal | undefined;
  enqueuedAt: number;
  resolve(outcome: { guess?: boolean }): void;
  reject(error: unknown): void;
}

interface SessionRow extends RowDataPacket {
  uuid: string;
  symbol: string;
  guess: number;
  at_us: number | string;
}

interface KeyRow extends RowDataPacket {
  request_key: string;
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  guess: number;
}

/** The write queue's limits: past them a request is refused (503) rather than left to wait. */
export interface WriteLimits {
  /** Requests waiting for a batch; one more is answered 503 with Retry-After. */
  maxQueued: number;
  /** A request still queued this long after it arrived is answered 503 and never written. */
  deadlineMs: number;
}

export const DEFAULT_WRITE_LIMITS: WriteLimits = { maxQueued: 20_000, deadlineMs: 10_000 };

export interface EventLogOptions {
  pool: Pool;
  leases: Leases;
  /** Told after each commit, with the events it appended (a hint to wake projections). */
  onCommit?: (events: readonly LoggedEvent[]) => void;
  limits?: WriteLimits;
  telemetry?: Telemetry;
  /** Resolves when the next batch may be written (write-backpressure.ts). */
  admit?: () => Promise<unknown>;
}

// Bounds one multi-row statement; larger bursts simply take several batches.
const MAX_BATCH = 2000;
// A conflict with another writer (a duplicate key, a Galera certification failure) is retried
// this many times with the whole batch before its requests are answered 503.
const MAX_ATTEMPTS = 5;
/** Writer ids an API process may lease: the number of processes that may write one log. */
export const MAX_WRITERS = 256;

class CommitUncertain extends Error {}

/**
 * The raw event log in MariaDB, written by group commit: requests that arrive while a batch is
 * being committed wait for the next one, and each batch is one transaction (one multi-row
 * insert, one commit, one flush). A request settles once its batch has committed.
 *
 * Each process writes as its own writer id (a lease), and numbers its events in that writer's
 * sequence, continuing from the last seq the log holds, read under a lock in the same
 * transaction. So a writer's sequence has no gaps and commits in order whatever happens to a
 * commit, and many processes (and hosts) write one log at once: the graph follows each
 * writer's sequence separately (projection/projector.ts).
 */
export class EventLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private writerId = 0;
  private renewal: NodeJS.Timeout | undefined;
  private closed = false;

  private readonly pool: Pool;
  private readonly leases: Leases;
  private readonly onCommit: (events: readonly LoggedEvent[]) => void;
  private readonly limits: WriteLimits;
  private readonly telemetry: Telemetry;
  private readonly admit: () => Promise<unknown>;

  constructor(options: EventLogOptions) {
    this.pool = options.pool;
    this.leases = options.leases;
    this.onCommit = options.onCommit ?? (() => {});
    this.limits = options.limits ?? DEFAULT_WRITE_LIMITS;
    this.telemetry = options.telemetry ?? NO_TELEMETRY;
    this.admit = options.admit ?? (async () => {});
  }

  /** Leases a writer id; fails if every one of MAX_WRITERS is held by a live process. */
  async open(): Promise<void> {
    await this.leaseWriterId();
    this.renewal = setTimeout(() => void this.renewLease(), LEASE_RENEW_MS);
  }

  /** The writer id this process writes as. */
  get writer(): number {
    return this.writerId;
  }

  appendInitial(uuid: string, symbol: string, guess: boolean, at: number, options?: WriteOptions) {
    return this.enqueue({ kind: "initial", uuid, symbol, guess, at, key: options?.key }, options);
  }

  appendFollowup(uuid: string, at: number, options?: WriteOptions) {
    return this.enqueue({ kind: "followup", uuid, at, key: options?.key }, options);
  }

  /** How many requests wait for a batch. */
  get queued(): number {
    return this.queue.length;
  }

  /** Waits until every request accepted so far has settled, then gives the writer id back. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.renewal);
    while (this.flushing) await this.flushing;
    await this.leases.release(writerLease(this.writerId)).catch(() => {});
  }

  private async leaseWriterId() {
    const names = Array.from({ length: MAX_WRITERS }, (_, i) => writerLease(i + 1));
    const name = await this.leases.takeFirstFree(names);
    if (!name) {
      throw new StoreUnavailableError(
        "MariaDB",
        `all ${MAX_WRITERS} writer ids of this log are leased by live processes`,
      );
    }
    this.writerId = Number(name.slice("writer:".length));
  }

  /** Keeps the lease; one lost (this process was frozen past its expiry) is replaced. */
  private async renewLease() {
    try {
      if (!(await this.leases.take(writerLease(this.writerId)))) await this.leaseWriterId();
    } catch {
      // MariaDB is away: keep writing as this id (nothing exact depends on the lease).
    }
    if (!this.closed) this.renewal = setTimeout(() => void this.renewLease(), LEASE_RENEW_MS);
  }

  private enqueue(request: LogRequest, options?: WriteOptions): Promise<{ guess?: boolean }> {
    if (this.queue.length >= this.limits.maxQueued) {
      return Promise.reject(
        new StoreBusyError(`${this.queue.length} requests are already waiting to be logged`),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        request,
        signal: options?.signal,
        enqueuedAt: Date.now(),
        resolve,
        reject,
      });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.admit();
        const batch = this.takeBatch();
        if (batch.length > 0) await this.flush(batch);
      }
    } finally {
      this.flushing = null;
    }
  }

  /** The next batch; requests whose client left or whose deadline passed are dropped unwritten. */
  private takeBatch(): Pending[] {
    const now = Date.now();
    const batch: Pending[] = [];
    while (batch.length < MAX_BATCH && this.queue.length > 0) {
      const pending = this.queue.shift()!;
      if (pending.signal?.aborted) {
        pending.reject(new StoreUnavailableError("MariaDB", "the client went away; not logged"));
      } else if (now - pending.enqueuedAt > this.limits.deadlineMs) {
        pending.reject(
          new StoreUnavailableError(
            "MariaDB",
            `the request waited over ${this.limits.deadlineMs} ms to be logged; not logged`,
          ),
        );
      } else {
        batch.push(pending);
      }
    }
    return batch;
  }

  private async flush(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const { events, outcomes } = await this.commitBatch(batch);
        this.telemetry.batchCommitted(events.length, (performance.now() - started) / 1000);
        this.onCommit(events);
        outcomes.forEach((outcome, i) => {
          if ("error" in outcome) batch[i]!.reject(outcome.error);
          else batch[i]!.resolve(outcome);
        });
        return;
      } catch (error) {
        this.telemetry.commitFailed(failureKind(error));
        if (error instanceof CommitUncertain) {
          const unknown = new OutcomeUnknownError("MariaDB", "the reply to COMMIT was lost", {
            cause: error.cause,
          });
          for (const pending of batch) pending.reject(unknown);
          return;
        }
        if (isRetryableConflict(error) && attempt < MAX_ATTEMPTS) continue;
        if (!isStoreLevel(error) && batch.length > 1) {
          // A statement error that is no outage: log each request alone, so one bad row
          // fails only its own request.
          for (const pending of batch) await this.flush([pending]);
          return;
        }
        const failure = asStoreError(error);
        for (const pending of batch) pending.reject(failure);
        return;
      }
    }
  }

  /** One transaction for the whole batch; throws CommitUncertain if COMMIT's reply is lost. */
  private async commitBatch(batch: Pending[]) {
    const connection = await this.pool.getConnection();
    let committing = false;
    try {
      const plan = await this.planned(connection, batch);
      if (plan.events.length > 0) {
        await connection.query({ sql: SQL.insertEvents, timeout: QUERY_TIMEOUT_MS }, [
          plan.events.map((e) => [
            e.writer,
            e.seq,
            e.kind,
            e.uuid,
            e.symbol,
            e.guess,
            formatMicros(e.at),
            e.key,
          ]),
        ]);
      }
      committing = true;
      await connection.query({ sql: "COMMIT", timeout: QUERY_TIMEOUT_MS });
      connection.release();
      return plan;
    } catch (error) {
      // A connection that failed mid-transaction is never reused; the server rolls it back.
      connection.destroy();
      if (committing && isStoreLevel(error)) throw new CommitUncertain("COMMIT", { cause: error });
      throw error;
    }
  }

  /** Starts the transaction, reads what the batch's rules need, and plans the batch. */
  private async planned(connection: PoolConnection, batch: Pending[]) {
    const requests = batch.map((pending) => pending.request);
    await connection.query({ sql: "START TRANSACTION", timeout: QUERY_TIMEOUT_MS });
    const [seqRows] = await connection.query<RowDataPacket[]>(
      { sql: SQL.writerLastSeq, timeout: QUERY_TIMEOUT_MS },
      [this.writerId],
    );
    const lastSeq = Number(seqRows[0]!.seq);
    const uuids = [...new Set(requests.map((r) => r.uuid))];
    const [sessionRows] = await connection.query<SessionRow[]>(
      { sql: SQL.findSessions, timeout: QUERY_TIMEOUT_MS },
      [uuids],
    );
    const sessions = new Map<string, KnownSession>(
      sessionRows.map((row) => [
        row.uuid,
        { symbol: row.symbol, guess: Boolean(row.guess), at: Number(row.at_us) },
      ]),
    );
    const keys = new Map<string, KeyedRequest>();
    const requestKeys = [...new Set(requests.flatMap((r) => (r.key ? [r.key] : [])))];
    if (requestKeys.length > 0) {
      const [keyRows] = await connection.query<KeyRow[]>(
        { sql: SQL.findRequestKeys, timeout: QUERY_TIMEOUT_MS },
        [requestKeys],
      );
      for (const row of keyRows) {
        keys.set(row.request_key, {
          kind: row.kind,
          uuid: row.uuid,
          symbol: row.symbol,
          guess: Boolean(row.guess),
        });
      }
    }
    return planBatch(this.writerId, lastSeq, requests, sessions, keys);
  }
}

const writerLease = (id: number) => `writer:${id}`;

/** A short name for why a commit failed, for the metrics. */
function failureKind(error: unknown): string {
  if (error instanceof CommitUncertain) return "unknown-outcome";
  if (isRetryableConflict(error)) return "conflict";
  return isStoreLevel(error) ? "unavailable" : "statement";
}

/** An outage or a refusal of the server, as opposed to a problem with one statement. */
function isStoreLevel(error: unknown): boolean {
  try {
    translateMariadbError(error);
  } catch (translated) {
    return translated instanceof StoreUnavailableError;
  }
}

function asStoreError(error: unknown): unknown {
  if (isRetryableConflict(error)) {
    return new StoreUnavailableError(
      "MariaDB",
      `the batch kept conflicting with other writers (${(error as Error).message})`,
    );
  }
  try {
    translateMariadbError(error);
  } catch (translated) {
    return translated;
  }
}
