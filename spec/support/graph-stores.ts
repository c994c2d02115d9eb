import { loadConfig, type Config } from "../../lib/config.js";
import { GraphInterface, openGraphInterface } from "../../lib/graph/graph-interface.js";
import { createMariadbPool } from "../../lib/graph/mariadb.js";
import { createNeo4jDriver } from "../../lib/graph/neo4j.js";
import { CYPHER } from "../../lib/graph/statements.js";
import type { Micros } from "../../lib/model/timestamp.js";

/**
 * The tests' own stores: MariaDB database `og_test` and the Neo4j test instance (Bolt 7688),
 * both started by provision/services.sh, so a test run never touches the service's data.
 */
export function testConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig({
    ...env,
    DATA_INTERFACE: "graph",
    MARIADB_DATABASE: env.MARIADB_TEST_DATABASE ?? `${env.MARIADB_DATABASE || "og"}_test`,
    NEO4J_URI: env.NEO4J_TEST_URI ?? "bolt://127.0.0.1:7688",
    NEO4J_SERVER: env.NEO4J_TEST_SERVICE ?? "neo4j-test",
  });
}

/** Environment for a child server process that uses the test stores. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const config = testConfig();
  return {
    ...process.env,
    DATA_INTERFACE: "graph",
    MARIADB_DATABASE: config.mariadb.database,
    NEO4J_URI: config.neo4j.uri,
    NEO4J_SERVER: config.neo4j.server,
    ...extra,
  };
}

/** Empties the test log and the test graph. */
export async function resetStores(): Promise<void> {
  const config = testConfig();
  const pool = createMariadbPool(config.mariadb);
  const driver = createNeo4jDriver(config.neo4j);
  try {
    await pool.query("DROP TABLE IF EXISTS events, log_identity");
    const session = driver.session();
    try {
      await session.run("MATCH (p:Projection) DELETE p");
      await session.run(CYPHER.wipeGraph);
    } finally {
      await session.close();
    }
  } finally {
    await pool.end();
    await driver.close();
  }
}

/** A graph backend on empty test stores, with an optional replay clock. */
export async function openEmptyGraphBackend(clock?: () => Micros): Promise<GraphInterface> {
  await resetStores();
  return openGraphInterface(testConfig(), clock);
}

/** Counts raw events straight from MariaDB. */
export async function countLoggedEvents(backend: GraphInterface): Promise<number> {
  const [rows] = await backend.pool.query("SELECT COUNT(*) AS n FROM events");
  return Number((rows as { n: number }[])[0]!.n);
}

/**
 * Waits until the graph has applied everything the log committed. A test that feeds thousands
 * of events at full speed gets ahead of the projection by more than a dashboard read waits for
 * (5 s), most of all on a cold JVM; this is the test waiting, not the service.
 */
export async function untilGraphCurrent(backend: GraphInterface, seconds = 180): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (backend.projection.position < backend.log.committedPosition) {
    if (Date.now() > deadline) throw new Error(`the graph did not catch up within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
