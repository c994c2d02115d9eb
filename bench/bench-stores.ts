import { loadConfig, testStoreEnv, type Config } from "../lib/config.js";
import { createMariadbPool, dropEventLog } from "../lib/graph/mariadb.js";
import { createNeo4jDriver } from "../lib/graph/neo4j.js";
import { CYPHER, SQL } from "../lib/graph/statements.js";
import { lastLine, runScript } from "./run-script.js";
import path from "node:path";
import { PROJECT_ROOT } from "../lib/config.js";

/**
 * The bench writes only to the scratch stores the tests use (the tests' own MariaDB server
 * `mariadb-test` on port 3307 with database `og_test`, the Neo4j test instance on Bolt 7688, known
 * to provision/services.sh as `neo4j-test`), never to the service's own data; the tests' support
 * code (spec/support/graph-stores.ts) takes them from here too. The values and their overrides
 * (MARIADB_TEST_HOST, MARIADB_TEST_PORT, MARIADB_TEST_DATABASE, NEO4J_TEST_URI, NEO4J_TEST_SERVER)
 * come from lib/config.ts. NEO4J_SERVER matters: the bulk-import rebuild stops and restarts that
 * server.
 */
export function benchStoreEnv(env: NodeJS.ProcessEnv = process.env) {
  return testStoreEnv(env);
}

/** The graph backend's configuration over the scratch stores. */
export function benchConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig({ ...env, DATA_INTERFACE: "graph", ...benchStoreEnv(env) });
}

/** How many rows the scratch log holds, or null when its table is missing. */
export async function countLoggedEvents(config: Config): Promise<number | null> {
  const pool = createMariadbPool(config.mariadb);
  try {
    const [rows] = await pool.query("SELECT COUNT(*) AS n FROM events");
    return Number((rows as { n: number }[])[0]!.n);
  } catch (error) {
    if ((error as { code?: string }).code === "ER_NO_SUCH_TABLE") return null;
    throw error;
  } finally {
    await pool.end();
  }
}

/** Why the scratch stores cannot be used, or null when both answer. */
export async function storesProblem(config: Config): Promise<string | null> {
  const pool = createMariadbPool(config.mariadb);
  const driver = createNeo4jDriver(config.neo4j);
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    return `MariaDB ${config.mariadb.host}:${config.mariadb.port}/${config.mariadb.database}: ${String(error)}`;
  } finally {
    await pool.end();
  }
  try {
    await driver.verifyConnectivity();
    return null;
  } catch (error) {
    return `Neo4j ${config.neo4j.uri}: ${String(error)}`;
  } finally {
    await driver.close();
  }
}

/** Server versions, for the record of the run. */
export async function storeVersions(config: Config): Promise<{ mariadb: string; neo4j: string }> {
  const pool = createMariadbPool(config.mariadb);
  const driver = createNeo4jDriver(config.neo4j);
  try {
    const [rows] = await pool.query("SELECT VERSION() AS v");
    const info = await driver.getServerInfo();
    return { mariadb: String((rows as { v: string }[])[0]!.v), neo4j: String(info.agent) };
  } finally {
    await pool.end();
    await driver.close();
  }
}

/** Empties the scratch log and graph: the log's tables go, and every node with them. */
export async function resetStores(config: Config): Promise<void> {
  const pool = createMariadbPool(config.mariadb);
  try {
    await dropEventLog(pool);
  } finally {
    await pool.end();
  }
  // The graph of the new, empty log, by bulk import: deleting millions of nodes through Cypher
  // takes minutes, replacing the store takes seconds.
  await rebuildScratchGraph();
}

/**
 * `npm run graph:rebuild` (bulk import into the test server) over the scratch stores; resolves
 * with its closing line.
 */
export async function rebuildScratchGraph(onStderr?: (text: string) => void): Promise<string> {
  const script = path.join(PROJECT_ROOT, "dist", "ops", "rebuild-cli.js");
  const env = { ...process.env, ...benchStoreEnv(), DATA_INTERFACE: "graph" };
  const stdout = await runScript(script, env, onStderr);
  return lastLine(stdout);
}

/** The newest position in the scratch log (0 when empty): what a caught-up graph has applied. */
export async function lastLoggedId(config: Config): Promise<number> {
  const pool = createMariadbPool(config.mariadb);
  try {
    const [rows] = await pool.query(SQL.lastEventId);
    return Number((rows as { id: number | string }[])[0]!.id);
  } finally {
    await pool.end();
  }
}

/**
 * Polls the graph's position in the log until it reaches `target`: how a catch-up that happens
 * inside a server process (which says nothing meanwhile, and may listen before it is done) is
 * timed. Calls `report` about every `reportEveryMs` with the position.
 */
export async function waitUntilGraphAt(
  config: Config,
  target: number,
  options: { timeoutMs: number; reportEveryMs: number; report: (position: number) => void },
): Promise<void> {
  const driver = createNeo4jDriver(config.neo4j);
  const deadline = performance.now() + options.timeoutMs;
  let reported = performance.now();
  try {
    for (;;) {
      const session = driver.session();
      let position = -1;
      try {
        const result = await session.run(CYPHER.projectionPosition);
        position = Number(result.records[0]?.get("lastEventId") ?? -1);
      } catch {
        // Not there yet (the server creates the position node): ask again.
      } finally {
        await session.close();
      }
      if (position >= target) return;
      if (performance.now() > deadline) {
        throw new Error(
          `the graph is at event ${position} of ${target} after ${options.timeoutMs} ms`,
        );
      }
      if (performance.now() - reported >= options.reportEveryMs) {
        reported = performance.now();
        options.report(position);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await driver.close();
  }
}
