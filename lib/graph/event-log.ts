import type { Connection as CoreConnection } from "mysql2";
import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import { SessionConflictError, UnknownSessionError } from "../data/data-errors.js";
import { formatMicros, parseTimestamp, type Micros } from "../model/timestamp.js";
import type { LoggedEvent } from "./logged-event.js";
import { QUERY_TIMEOUT_MS, translateMariadbError, withConnection } from "./mariadb.js";
import { SQL } from "./statements.js";

interface PendingInitial {
  kind: "initial";
  uuid: string;
  symbol: string;
  guess: boolean;
  at: Micros;
  settle: Settle<InitialOutcome>;
}

interface PendingFollowup {
  kind: "followup";
  uuid: string;
  at: Micros;
  settle: Settle<void>;
}

type Pending = PendingInitial | PendingFollowup;

interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export interface InitialOutcome {
  /** The guess of the session's first initial: this request's own, or the original on a retry. */
  guess: boolean;
}

/** A committed batch: the log's position before it and the events it appended, in id order. */
export interface CommittedBatch {
  from: number;
  events: LoggedEvent[];
}

interface SessionRow extends RowDataPacket {
  id: number;
  uuid: string;
  symbol: string;
  guess: number;
  created_at: string;
}

/** A row of events-after.sql / events-up-to.sql; BIGINTs come as numbers (or strings if huge). */
interface EventRow extends RowDataPacket {
  id: number | string;
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  guess: number;
  at_us: number | string;
  session_at_us: number | string;
}

const micros = (text: string) => parseTimestamp(text)!;

const toLoggedEvent = (row: EventRow): LoggedEvent => ({
  id: Number(row.id),
  kind: row.kind,
  uuid: row.uuid,
  symbol: row.symbol,
  guess: Boolean(row.guess),
  at: Number(row.at_us),
  sessionAt: Number(row.session_at_us),
});

// Bounds one multi-row statement; larger bursts simply take several batches.
const MAX_BATCH = 2000;

/**
 * The raw event log in MariaDB, written by group commit: requests that arrive while a batch is
 * being committed wait for the next one, and each batch is one transaction (a multi-row insert
 * per kind, one commit, one flush). A request settles once its batch has committed; the batch
 * is then handed to `afterCommit` (the graph projection), which applies it without delaying
 * the answer.
 *
 * One writer per database: positions in the log are assigned and committed in order only
 * because batches are committed one at a time by this process.
 */
export class EventLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private position = 0;
  private identity = "";

  constructor(
    private readonly pool: Pool,
    private readonly afterCommit: (batch: CommittedBatch) => void,
  ) {}

  /** Reads the log's name and newest position; called once at start. */
  async open(): Promise<void> {
    this.identity = await withConnection(this.pool, async (connection) => {
      const [rows] = await connection.query<RowDataPacket[]>({
        sql: SQL.logIdentity,
        timeout: QUERY_TIMEOUT_MS,
      });
      return String(rows[0]!.log_id);
    });
    this.position = await this.lastEventId();
  }

  /** The name this log was given when it was created (migration 002). */
  get logId(): string {
    return this.identity;
  }

  /** The position of the newest event this process has committed (or found at start). */
  get committedPosition(): number {
    return this.position;
  }

  appendInitial(uuid: string, symbol: string, guess: boolean, at: Micros): Promise<InitialOutcome> {
    return new Promise((resolve, reject) => {
      this.enqueue({ kind: "initial", uuid, symbol, guess, at, settle: { resolve, reject } });
    });
  }

  appendFollowup(uuid: string, at: Micros): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue({ kind: "followup", uuid, at, settle: { resolve, reject } });
    });
  }

  /** Waits until every request accepted so far has settled. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Up to `limit` events after `position`, in log order: the projection's catch-up reads. */
  async eventsAfter(position: number, limit: number): Promise<LoggedEvent[]> {
    return withConnection(this.pool, async (connection) => {
      const [rows] = await connection.query<EventRow[]>({ sql: SQL.eventsAfter, timeout: 60_000 }, [
        position,
        limit,
      ]);
      return rows.map(toLoggedEvent);
    });
  }

  /** Every event up to `position`, in log order, streamed: what a bulk rebuild reads. */
  async *streamEvents(position: number): AsyncGenerator<LoggedEvent> {
    let connection: PoolConnection;
    try {
      connection = await this.pool.getConnection();
    } catch (error) {
      translateMariadbError(error);
    }
    try {
      // The promise API buffers whole results; the callback connection underneath streams rows.
      const core = connection.connection as unknown as CoreConnection;
      const rows = core.query(SQL.eventsUpTo, [position]).stream();
      for await (const row of rows) yield toLoggedEvent(row as EventRow);
    } finally {
      connection.release();
    }
  }

  async lastEventId(): Promise<number> {
    return withConnection(this.pool, async (connection) => {
      const [rows] = await connection.query<RowDataPacket[]>({
        sql: SQL.lastEventId,
        timeout: QUERY_TIMEOUT_MS,
      });
      return Number(rows[0]!.id);
    });
  }

  private enqueue(request: Pending) {
    this.queue.push(request);
    if (!this.flushing) this.flushing = this.flushLoop();
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.flush(batch);
      }
    } finally {
      this.flushing = null;
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    let committed: { events: LoggedEvent[]; outcomes: (() => void)[] };
    try {
      committed = await withConnection(this.pool, (connection) => this.commit(connection, batch));
    } catch (error) {
      for (const request of batch) request.settle.reject(error);
      return;
    }
    const from = this.position;
    if (committed.events.length > 0) this.position = committed.events.at(-1)!.id;
    this.afterCommit({ from, events: committed.events });
    for (const settle of committed.outcomes) settle();
  }

  /** One transaction for the whole batch; returns the appended events and each request's answer. */
  private async commit(connection: PoolConnection, batch: Pending[]) {
    const initials = batch.filter((r): r is PendingInitial => r.kind === "initial");
    const followups = batch.filter((r): r is PendingFollowup => r.kind === "followup");
    const events: LoggedEvent[] = [];
    const outcomes: (() => void)[] = [];

    await connection.query({ sql: "START TRANSACTION", timeout: QUERY_TIMEOUT_MS });
    if (initials.length > 0) {
      const [inserted] = await connection.query<SessionRow[]>(
        { sql: SQL.insertInitials, timeout: QUERY_TIMEOUT_MS },
        [initials.map((r) => ["initial", r.uuid, r.symbol, r.guess, formatMicros(r.at)])],
      );
      for (const row of inserted) {
        const at = micros(row.created_at);
        events.push({
          id: Number(row.id),
          kind: "initial",
          uuid: row.uuid,
          symbol: row.symbol,
          guess: Boolean(row.guess),
          at,
          sessionAt: at,
        });
      }
    }
    const uuids = [...new Set(batch.map((r) => r.uuid))];
    const [found] = await connection.query<SessionRow[]>(
      { sql: SQL.findSessions, timeout: QUERY_TIMEOUT_MS },
      [uuids],
    );
    const sessions = new Map(found.map((row) => [row.uuid, row]));

    for (const request of initials) {
      const session = sessions.get(request.uuid)!;
      if (session.symbol === request.symbol) {
        outcomes.push(() => request.settle.resolve({ guess: Boolean(session.guess) }));
      } else {
        const error = new SessionConflictError(request.uuid, session.symbol, request.symbol);
        outcomes.push(() => request.settle.reject(error));
      }
    }

    const accepted = followups.filter((request) => {
      if (sessions.has(request.uuid)) return true;
      const error = new UnknownSessionError(request.uuid);
      outcomes.push(() => request.settle.reject(error));
      return false;
    });
    if (accepted.length > 0) {
      const rows = accepted.map((r) => {
        const session = sessions.get(r.uuid)!;
        return ["followup", r.uuid, session.symbol, session.guess, formatMicros(r.at)];
      });
      const [inserted] = await connection.query<SessionRow[]>(
        { sql: SQL.insertFollowups, timeout: QUERY_TIMEOUT_MS },
        [rows],
      );
      inserted.forEach((row, index) => {
        const request = accepted[index]!;
        const session = sessions.get(request.uuid)!;
        events.push({
          id: Number(row.id),
          kind: "followup",
          uuid: request.uuid,
          symbol: session.symbol,
          guess: Boolean(session.guess),
          at: request.at,
          sessionAt: micros(session.created_at),
        });
        outcomes.push(() => request.settle.resolve());
      });
    }
    await connection.query({ sql: "COMMIT", timeout: QUERY_TIMEOUT_MS });
    return { events, outcomes };
  }
}
