import neo4j, { type Driver, isRetryableError, Neo4jError, type Session } from "neo4j-driver";
import type { Config } from "../config.js";
import { StoreUnavailableError } from "../data/data-errors.js";
import { SYMBOLS } from "../model/symbols.js";
import { CYPHER } from "./statements.js";

/** The one driver of the process; bounded waits so an outage surfaces as 503, not a hang. */
export function createNeo4jDriver(config: Config["neo4j"]): Driver {
  return neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password), {
    disableLosslessIntegers: true,
    maxConnectionPoolSize: 32,
    connectionTimeout: 3000,
    connectionAcquisitionTimeout: 5000,
    maxTransactionRetryTime: 2000,
  });
}

const UNAVAILABLE_CODES = new Set(["ServiceUnavailable", "SessionExpired"]);

export function isNeo4jUnavailable(error: unknown): boolean {
  if (!(error instanceof Neo4jError)) return false;
  return UNAVAILABLE_CODES.has(error.code) || isRetryableError(error);
}

/** Re-throws "Neo4j is not there" as StoreUnavailableError; others unchanged. */
export function translateNeo4jError(error: unknown): never {
  if (isNeo4jUnavailable(error)) {
    throw new StoreUnavailableError("Neo4j", (error as Error).message, { cause: error });
  }
  throw error;
}

/**
 * Applies cypher/schema.cypher and seeds the Symbol nodes, and on an empty graph the
 * projection's position at the start of the log named `logId`.
 */
export async function prepareGraph(driver: Driver, logId: string): Promise<void> {
  const session = driver.session();
  try {
    for (const statement of CYPHER.schema) await session.run(statement);
    await session.run("CALL db.awaitIndexes(3600)");
    await session.executeWrite((tx) => tx.run(CYPHER.seedSymbols, { symbols: SYMBOLS, logId }));
    await warmUp(session);
  } finally {
    await session.close();
  }
}

/**
 * Runs every statement once with nothing to do, so that Neo4j plans them now rather than in
 * the first live transaction (planning them cold takes seconds, and a dashboard waits for it).
 */
async function warmUp(session: Session) {
  const nothing = { sessions: [], followups: [], buckets: [], symbols: [] };
  // Position -2 is never the graph's: the statement is planned, matches nothing, writes nothing.
  await session.run(CYPHER.applyBatch, { ...nothing, from: -2, to: -2, logId: "" });
  await session.run(CYPHER.symbolAggregates, { symbol: "a" });
  await session.run(CYPHER.rangeAggregates, { bucketSpans: [], edgeSpans: [] });
  await session.run(CYPHER.seriesAggregates, { grain: "day", from: 0, to: 0, symbol: null });
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
    await session.run(CYPHER.wipeGraph);
    await prepareGraph(driver, logId);
    await session.executeWrite((tx) => tx.run(CYPHER.restartProjection, { logId }));
  } finally {
    await session.close();
  }
}
