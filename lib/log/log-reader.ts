import type { Connection as CoreConnection } from "mysql2";
import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import type { LoggedEvent } from "./logged-event.js";
import type { LogPositions } from "./log-positions.js";
import { QUERY_TIMEOUT_MS, translateMariadbError, withConnection } from "../stores/mariadb.js";
import { SQL } from "../stores/statements.js";

/** A row of writer-events.sql / all-events.sql; BIGINTs come as numbers (or strings if huge). */
interface EventRow extends RowDataPacket {
  writer_id: number;
  writer_seq: number | string;
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  guess: number;
  at_us: number | string;
  session_at_us: number | string;
}

const toLoggedEvent = (row: EventRow): LoggedEvent => ({
  writer: Number(row.writer_id),
  seq: Number(row.writer_seq),
  kind: row.kind,
  uuid: row.uuid,
  symbol: row.symbol,
  guess: Boolean(row.guess),
  at: Number(row.at_us),
  sessionAt: Number(row.session_at_us),
});

// A catch-up over millions of events reads them in pages this large, each bounded in time.
const PAGE_TIMEOUT_MS = 60_000;

/**
 * What the projection and the operator commands read from the log: its name, the head of each
 * writer's sequence, and events by writer and seq. Writes nothing.
 */
export class LogReader {
  constructor(private readonly pool: Pool) {}

  /** The name this log was given when it was created (migration 002). */
  async logId(): Promise<string> {
    const [rows] = await withConnection(this.pool, (connection) =>
      connection.query<RowDataPacket[]>({ sql: SQL.logIdentity, timeout: QUERY_TIMEOUT_MS }),
    );
    return String(rows[0]!.log_id);
  }

  /** Every writer's last committed seq: what "everything committed now" is. */
  async heads(): Promise<Map<number, number>> {
    const [rows] = await withConnection(this.pool, (connection) =>
      connection.query<RowDataPacket[]>({ sql: SQL.logHeads, timeout: QUERY_TIMEOUT_MS }),
    );
    return new Map(rows.map((row) => [Number(row.writer_id), Number(row.seq)]));
  }

  /** The receipt time of `writer`'s first event after `seq`, or null if it has none. */
  async firstEventAfter(writer: number, seq: number): Promise<number | null> {
    const [rows] = await withConnection(this.pool, (connection) =>
      connection.query<RowDataPacket[]>({ sql: SQL.firstEventAfter, timeout: QUERY_TIMEOUT_MS }, [
        writer,
        seq,
      ]),
    );
    return rows[0] ? Number(rows[0].at_us) : null;
  }

  /** Up to `limit` events of `writer` in (after, upTo], in sequence order. */
  async writerEvents(writer: number, after: number, upTo: number, limit: number) {
    const [rows] = await withConnection(this.pool, (connection) =>
      connection.query<EventRow[]>({ sql: SQL.writerEvents, timeout: PAGE_TIMEOUT_MS }, [
        writer,
        after,
        upTo,
        limit,
      ]),
    );
    return rows.map(toLoggedEvent);
  }

  /**
   * The whole log in one snapshot: the heads, then every event they cover, streamed (what a
   * bulk rebuild reads). `consume` gets the heads first and must read the events through.
   */
  async snapshot<T>(
    consume: (heads: LogPositions, events: AsyncIterable<LoggedEvent>) => Promise<T>,
  ): Promise<T> {
    let connection: PoolConnection;
    try {
      connection = await this.pool.getConnection();
    } catch (error) {
      translateMariadbError(error);
    }
    try {
      await connection.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      const [rows] = await connection.query<RowDataPacket[]>(SQL.logHeads);
      const heads = new Map(rows.map((row) => [Number(row.writer_id), Number(row.seq)]));
      // The promise API buffers whole results; the callback connection underneath streams rows.
      const core = connection.connection as unknown as CoreConnection;
      async function* events() {
        for await (const row of core.query(SQL.allEvents).stream()) {
          yield toLoggedEvent(row as EventRow);
        }
      }
      const result = await consume(heads, events());
      await connection.query("COMMIT");
      connection.release();
      return result;
    } catch (error) {
      connection.destroy();
      translateMariadbError(error);
    }
  }
}
