import mysql, { type Pool, type PoolConnection } from "mysql2/promise";
import type { Config } from "../config.js";
import { StoreUnavailableError } from "../backend/data-errors.js";
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
  "ER_QUERY_INTERRUPTED",
  // Galera, 1180: replication failed during COMMIT (the node left the primary component while
  // committing, "Error while appending streaming replication fragment"): outcome unknown here.
  "ER_ERROR_DURING_COMMIT",
]);

/** Bounds every query, so a hung server answers 503 instead of hanging a request. */
export const QUERY_TIMEOUT_MS = 5000;

// The server cannot take writes now (disk full, read-only, a Galera node outside the primary
// component): the request is refused, nothing was stored, a retry later may succeed.
const REFUSING_CODES = new Map([
  ["ER_DISK_FULL", "its disk is full"],
  ["ER_RECORD_FILE_FULL", "its disk is full"],
  ["ER_OUT_OF_RESOURCES", "it is out of memory"],
  ["ER_OPTION_PREVENTS_STATEMENT", "it is read-only"],
  ["ER_READ_ONLY_MODE", "it is read-only"],
  ["ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION", "it is read-only"],
  ["ER_UNKNOWN_COM_ERROR", "the node is not part of the cluster's primary component"],
  ["ER_LOCK_WAIT_TIMEOUT", "a lock wait timed out"],
]);

/** A conflict that a retry of the whole transaction resolves (another writer got there first). */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  // ER_LOCK_DEADLOCK is also how Galera reports a failed certification at COMMIT.
  return code === "ER_DUP_ENTRY" || code === "ER_LOCK_DEADLOCK";
}

/** Re-throws connection-level and capacity failures as StoreUnavailableError; others unchanged. */
export function translateMariadbError(error: unknown): never {
  if (error instanceof StoreUnavailableError) throw error;
  const code = (error as { code?: string }).code;
  const fatal = (error as { fatal?: boolean }).fatal;
  const refusal = code ? REFUSING_CODES.get(code) : undefined;
  if (refusal) {
    throw new StoreUnavailableError("MariaDB", `${refusal} (${(error as Error).message})`, {
      cause: error,
    });
  }
  if ((code && UNAVAILABLE_CODES.has(code)) || fatal) {
    throw new StoreUnavailableError("MariaDB", (error as Error).message || String(code), {
      cause: error,
    });
  }
  throw error;
}

/**
 * MARIADB_HOST as the nodes it names: `host`, or a comma-separated list of `host[:port]` (the
 * nodes of a Galera cluster), each without a port at MARIADB_PORT.
 */
export function mariadbNodes(config: Config["mariadb"]): { host: string; port: number }[] {
  return config.host.split(",").map((part) => {
    const match = /^\s*([^\s:,]+)(?::(\d+))?\s*$/.exec(part);
    if (!match) throw new Error(`MARIADB_HOST: "${part}" is not host or host:port`);
    return { host: match[1]!, port: match[2] ? Number(match[2]) : config.port };
  });
}

/** A node that failed to connect is passed over for this long, then tried again. */
const NODE_RETRY_MS = 5000;

/**
 * The one pool of the process. Times travel as 'YYYY-MM-DD HH:MM:SS.ffffff' text, in UTC. With
 * several nodes, connections go to the first that answers, in the order given: a process
 * whose node is gone moves to the next, and back when its node returns.
 */
export function createMariadbPool(config: Config["mariadb"]): Pool {
  const options = {
    user: config.user,
    password: config.password,
    database: config.database,
    connectionLimit: 8,
    connectTimeout: 2000,
    dateStrings: true,
    timezone: "Z",
    supportBigNumbers: true,
    enableKeepAlive: true,
  };
  const nodes = mariadbNodes(config);
  if (nodes.length === 1) return mysql.createPool({ ...options, ...nodes[0] });
  const cluster = mysql.createPoolCluster({
    removeNodeErrorCount: 1,
    restoreNodeTimeout: NODE_RETRY_MS,
    defaultSelector: "ORDER",
  });
  nodes.forEach((node, i) => cluster.add(`node${i}`, { ...options, ...node }));
  // The pool's interface as this project uses it: connections, one-off queries, and the end.
  const namespace = cluster.of("*", "ORDER");
  return Object.assign(namespace, { end: () => cluster.end() }) as unknown as Pool;
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
    for (const migration of SQL.migrations) {
      for (const statement of migration) await connection.query(statement);
    }
  });
}

/** Drops every table `migrate` creates: a scratch database's way to a new, empty log. */
export async function dropEventLog(pool: Pool): Promise<void> {
  await pool.query(SQL.dropEventLog);
}
