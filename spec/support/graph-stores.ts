import { scratchConfig, scratchStoreEnv } from "../../scratch/scratch-stores.js";
import { GraphBackend, openGraphBackend } from "../../lib/backend/graph-backend.js";
import { createMariadbPool, dropEventLog } from "../../lib/stores/mariadb.js";
import { createNeo4jDriver, wipeGraph } from "../../lib/stores/neo4j.js";
import type { Micros } from "../../lib/model/timestamp.js";
import { eventually } from "./services.js";

/**
 * The tests' own stores, shared with the benchmark (scratch/scratch-stores.ts): database `og_test`
 * on the tests' own MariaDB server (`mariadb-test`, port 3307) and the Neo4j test instance (Bolt
 * 7688), both started by provision/services.sh, so a test run never touches the service's data
 * or its servers.
 */
export const testConfig = scratchConfig;

/** Environment for a child server process that uses the test stores. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DATA_INTERFACE: "graph", WORKERS: "1", ...scratchStoreEnv(), ...extra };
}

/** Empties a test graph, its projection record included. */
export async function wipeTestGraph(uri: string): Promise<void> {
  const driver = createNeo4jDriver(testConfig().neo4j, uri);
  const session = driver.session();
  try {
    await session.run("MATCH (p:Projection) DELETE p");
    await wipeGraph(session);
  } finally {
    await session.close();
    await driver.close();
  }
}

/** Empties the test log and the test graph. */
export async function resetStores(): Promise<void> {
  const config = testConfig();
  const pool = createMariadbPool(config.mariadb);
  try {
    await dropEventLog(pool);
  } finally {
    await pool.end();
  }
  await wipeTestGraph(config.neo4j.uri);
}

/** A graph backend on empty test stores, with an optional replay clock. */
export async function openEmptyGraphBackend(clock?: () => Micros): Promise<GraphBackend> {
  await resetStores();
  return openGraphBackend(testConfig(), { clock });
}

/** Counts raw events straight from MariaDB. */
export async function countLoggedEvents(backend: GraphBackend): Promise<number> {
  const [rows] = await backend.pool.query("SELECT COUNT(*) AS n FROM events");
  return Number((rows as { n: number }[])[0]!.n);
}

/** How long untilGraphCurrent waits; a hook that calls it needs a mocha timeout beyond this. */
export const GRAPH_CURRENT_WAIT_MS = 180_000;

/**
 * Waits until the graph has applied everything the log committed. A test that feeds thousands
 * of events at full speed gets ahead of the projection by more than a dashboard read waits for
 * (5 s), most of all on a cold JVM; this is the test waiting, not the service.
 */
export async function untilGraphCurrent(backend: GraphBackend): Promise<void> {
  await eventually(GRAPH_CURRENT_WAIT_MS / 1000, async () =>
    (await backend.graphLag()).every(({ behind }) => behind === 0),
  );
}

/** What the rebuild needs, from a backend's own connections (its first Neo4j server). */
export function rebuildStores(backend: GraphBackend) {
  return { driver: backend.servers[0]!.driver, reader: backend.reader };
}
