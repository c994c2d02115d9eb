import mysql, { type Pool, type PoolConnection } from "mysql2/promise";
import type { Config } from "../config.js";
import { StoreUnavailableError } from "../data/data-errors.js";
import { SQL } from "./statements.js";

// Errors that mean "MariaDB is not there or not answering", as opposed to a bad statement.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_CONNECTION_KILLED",
  "ER_LOCK_WAIT_TIMEOUT",
  "ER_QUERY_INTERRUPTED",
  // Galera. 1047: this node is outside the primary component (cut off, or still joining) and
  // refuses every statement on a table: "WSREP has not yet prepared node for application use".
  "ER_UNKNOWN_COM_ERROR",
  // 1213: the cluster's certification aborted the transaction (a conflicting write set from
  // another node); nothing of it was committed. The writer retries the whole transaction; past
  // its retries the request is answered 503, never 500.
  "ER_LOCK_DEADLOCK",
  // 1180: replication failed during COMMIT (the node left the primary component mid-commit):
  // the outcome is not known to this process, so 503, as for a lost COMMIT reply.
  "ER_ERROR_DURING_COMMIT",
]);

/** Bounds every query, so a hung server answers 503 instead of hanging a request. */
export const QUERY_TIMEOUT_MS = 5000;

/** Re-throws connection-level failures as StoreUnavailableError; others unchanged. */
export function translateMariadbError(error: unknown): never {
  const code = (error as { code?: string }).code;
  const fatal = (error as { fatal?: boolean }).fatal;
  if ((code && UNAVAILABLE_CODES.has(code)) || fatal) {
    throw new StoreUnavailableError("MariaDB", (error as Error).message || String(code), {
      cause: error,
    });
  }
  throw error;
}

/** The one pool of the process. Times travel as 'YYYY-MM-DD HH:MM:SS.ffffff' text, in UTC. */
export function createMariadbPool(config: Config["mariadb"]): Pool {
  return mysql.createPool({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    connectionLimit: 8,
    connectTimeout: 2000,
    dateStrings: true,
    timezone: "Z",
    supportBigNumbers: true,
    enableKeepAlive: true,
  });
}

export async function withConnection<T>(pool: Pool, work: (c: PoolConnection) => Promise<T>) {
  let connection: PoolConnection;
  try {
    connection = await pool.getConnection();
  } catch (error) {
    translateMariadbError(error);
  }
  try {
    const result = await work(connection);
    connection.release();
    return result;
  } catch (error) {
    // A connection that failed mid-query may be half-way through a transaction: never reuse it.
    connection.destroy();
    translateMariadbError(error);
  }
}

/** Applies the migrations in sql/ (each idempotent) and checks the account can reach the log. */
export async function migrate(pool: Pool): Promise<void> {
  await withConnection(pool, async (connection) => {
    for (const migration of SQL.migrations) await connection.query(migration);
  });
}

/** Drops every table `migrate` creates: a scratch database's way to a new, empty log. */
export async function dropEventLog(pool: Pool): Promise<void> {
  await pool.query(SQL.dropEventLog);
}
