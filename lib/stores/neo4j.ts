import { randomUUID } from "node:crypto";
import neo4j, {
  type Driver,
  isRetryableError,
  Neo4jError,
  type Record as Neo4jRecord,
  type Session,
} from "neo4j-driver";
import type { Config } from "../config.js";
import { StoreUnavailableError } from "../backend/data-errors.js";
import { SYMBOLS } from "../model/symbols.js";
import { CYPHER } from "./statements.js";

/**
 * Every wait on Neo4j is bounded by one of these (docs/operations.md's failure table quotes them). A
 * hung server (SIGSTOP, a long GC pause) answers nothing, so it cannot enforce its own
 * transaction timeouts: the client gives up on its own clock too.
 */
export const NEO4J_TIMEOUTS = {
  /** Opening a connection: TCP connect and the Bolt handshake. */
  connectMs: 3000,
  /** Waiting for a pooled connection when all are busy, connecting included. */
  acquireMs: 5000,
  /** Retrying transient failures inside executeRead / executeWrite. */
  retryMs: 2000,
  /** Neo4j stops a dashboard read transaction that runs longer (a slow query on a live server). */
  readTxMs: 4000,
  /** The client stops waiting for a dashboard read, connecting included (a server that hung). */
  readWaitMs: 5000,
} as const;

/** How long a read may run on the server (`txMs`) and how long its caller waits (`waitMs`). */
export interface ReadLimits {
  txMs: number;
  waitMs: number;
}

const DASHBOARD_READ: ReadLimits = {
  txMs: NEO4J_TIMEOUTS.readTxMs,
  waitMs: NEO4J_TIMEOUTS.readWaitMs,
};

/**
 * The transaction timeout of operator statements (schema, index population, emptying the graph),
 * which may run for minutes on a large graph. Other transactions get the server's
 * `db.transaction.timeout` (60 s, provision/neo4j/neo4j.conf.in) unless they set a shorter one.
 */
export const OPERATOR_TX = { timeout: 3_600_000 } as const;

/** The one driver of the process; bounded waits so an outage surfaces as 503, not a hang. */
export function createNeo4jDriver(config: Config["neo4j"], uri: string = config.uri): Driver {
  return neo4j.driver(uri, neo4j.auth.basic(config.user, config.password), {
    disableLosslessIntegers: true,
    maxConnectionPoolSize: 32,
    connectionTimeout: NEO4J_TIMEOUTS.connectMs,
    connectionAcquisitionTimeout: NEO4J_TIMEOUTS.acquireMs,
    maxTransactionRetryTime: NEO4J_TIMEOUTS.retryMs,
  });
}

const UNAVAILABLE_CODES = new Set(["ServiceUnavailable", "SessionExpired"]);

/**
 * Whether `error` means Neo4j is not answering (in time): down, unreachable, every pooled
 * connection busy for longer than the acquisition timeout (the driver gives that error no code,
 * "N/A"), or a transaction stopped by its timeout.
 */
export function isNeo4jUnavailable(error: unknown): boolean {
  if (!(error instanceof Neo4jError)) return false;
  if (UNAVAILABLE_CODES.has(error.code) || isRetryableError(error)) return true;
  if (error.code.includes("TransactionTimedOut")) return true;
  return error.code === "N/A" && /acquisition timed out/i.test(error.message);
}

/** Re-throws "Neo4j is not there" as StoreUnavailableError; others unchanged. */
export function translateNeo4jError(error: unknown): never {
  if (isNeo4jUnavailable(error)) {
    throw new StoreUnavailableError("Neo4j", (error as Error).message, { cause: error });
  }
  throw error;
}

/**
 * Runs one read (auto-commit: one round trip) with bounded waits: Neo4j stops the transaction
 * after `limits.txMs` (its answer comes first, and the connection goes back to the pool), and
 * the caller stops waiting after `limits.waitMs` whatever happens, connecting included, so a
 * server that has hung gives StoreUnavailableError rather than a hang. The session is then
 * closed in the background, once the server answers or its connection fails.
 */
export async function boundedRead(
  driver: Driver,
  query: string,
  parameters: Record<string, unknown>,
  limits: ReadLimits = DASHBOARD_READ,
): Promise<Neo4jRecord[]> {
  const read = (async () => {
    const session = driver.session({ defaultAccessMode: neo4j.session.READ });
    try {
      return (await session.run(query, parameters, { timeout: limits.txMs })).records;
    } finally {
      await session.close();
    }
  })();
  try {
    return await withinDeadline(read, limits.waitMs);
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    translateNeo4jError(error);
  }
}

/**
 * `work`, or a 503 once `ms` have passed: a hung server (SIGSTOP) enforces no timeout of its
 * own, so every wait on it also has one on this side.
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new StoreUnavailableError("Neo4j", `no answer within ${ms} ms`)),
      ms,
    );
  });
  work.catch(() => {}); // settled after the deadline: nobody is waiting for it any more
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function prepareGraph(
  driver: Driver,
  logId: string,
  graphId: string = randomUUID(),
): Promise<void> {
  const session = driver.session();
  try {
    for (const statement of CYPHER.schema) {
      await session.run(statement, {}, OPERATOR_TX).catch(alreadyThere);
    }
    await session.run("CALL db.awaitIndexes(3600)", {}, OPERATOR_TX);
    await session.executeWrite((tx) =>
      tx.run(CYPHER.seedSymbols, { symbols: SYMBOLS, logId, graphId }),
    );
    await warmUp(session);
  } finally {
    await session.close();
  }
}

/**
 * IF [NOT] EXISTS is not atomic: two processes creating (or dropping) the same index at once
 * (workers starting together) make the second fail with "already exists" (or "drop failed"),
 * which means it is done.
 */
function alreadyThere(error: unknown): void {
  const code = (error as { code?: string }).code ?? "";
  if (
    !/^Neo\.ClientError\.Schema\.(EquivalentSchemaRuleAlreadyExists|IndexAlreadyExists|ConstraintAlreadyExists|IndexDropFailed)$/.test(
      code,
    )
  ) {
    throw error;
  }
}

/**
 * Runs every statement once with nothing to do, so that Neo4j plans them now rather than in
 * the first live transaction (planning them cold takes seconds, and a dashboard waits for it).
 */
async function warmUp(session: Session) {
  const nothing = { positions: [], sessions: [], followups: [], buckets: [], symbols: [] };
  // Log "" is never the graph's: the statement is planned, matches nothing, writes nothing.
  await session.run(CYPHER.applyBatch, { ...nothing, logId: "" });
  await session.run(CYPHER.projectionPosition);
  await session.run(CYPHER.symbolAggregates, { symbol: "a" });
  await session.run(CYPHER.rangeAggregates, { bucketSpans: [], edgeSpans: [] });
  await session.run(CYPHER.seriesAggregates, { grain: "day", from: 0, to: 0, symbol: null });
}

/** Deletes every relationship, then every node but the projection's position. */
export async function wipeGraph(session: Session): Promise<void> {
  await session.run(CYPHER.wipeRelationships, {}, OPERATOR_TX);
  await session.run(CYPHER.wipeGraph, {}, OPERATOR_TX);
}

/**
 * Empties the graph and sets it at the start of the log named `logId`. Every applier that is
 * running (a service, a rebuild) stops at the pause, then catches up again after the restart.
 */
export async function resetGraph(driver: Driver, logId: string): Promise<void> {
  await prepareGraph(driver, logId);
  const session = driver.session({ defaultAccessMode: neo4j.session.WRITE });
  try {
    await session.executeWrite((tx) => tx.run(CYPHER.pauseProjection));
    await wipeGraph(session);
    await prepareGraph(driver, logId);
    await session.executeWrite((tx) => tx.run(CYPHER.restartProjection, { logId }));
  } finally {
    await session.close();
  }
}
