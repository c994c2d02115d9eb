import { DEFAULTS, isManagedServer, loadConfig, type Config } from "../../lib/config.js";
import { openGraphBackend } from "../../lib/backend/graph-backend.js";
import { Leases } from "../../lib/log/leases.js";
import { LogReader } from "../../lib/log/log-reader.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { createNeo4jDriver } from "../../lib/stores/neo4j.js";
import { rebuildGraph } from "../rebuild.js";
import { verifyGraph } from "../verify.js";

/** The Bolt URI of a local Neo4j server by its provision/services.sh name (neo4j, neo4j-test, …). */
export function localBoltUri(server: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = `${server.toUpperCase().replaceAll("-", "_")}_BOLT_PORT`;
  const port = env[name] || DEFAULTS[name];
  if (!port) throw new Error(`no local Neo4j server named "${server}" (no ${name})`);
  return `bolt://127.0.0.1:${port}`;
}

/** The configuration of a restored log (on 127.0.0.1:`port`) and a local Neo4j server. */
export function restoredConfig(
  port: number,
  database: string,
  server: string,
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const uri = localBoltUri(server, env);
  if (!isManagedServer(uri, server, env)) throw new Error(`${server} is not a local Neo4j server`);
  return loadConfig({
    ...env,
    DATA_INTERFACE: "graph",
    MARIADB_HOST: "127.0.0.1",
    MARIADB_PORT: String(port),
    MARIADB_DATABASE: database,
    NEO4J_URI: uri,
    NEO4J_URIS: uri,
    NEO4J_SERVER: server,
  });
}

export interface GraphCheck {
  events: number;
  rebuild_seconds: number;
  verify_seconds: number;
  questions: number;
  differences: number;
}

/**
 * The graph of a restored log: the bulk rebuild into the local Neo4j server that `config`
 * names (it is stopped, replaced and started), then every dashboard answer checked against SQL
 * over the restored log (ops/verify).
 */
export async function rebuildAndVerify(
  config: Config,
  log: (line: string) => void,
): Promise<GraphCheck> {
  const pool = createMariadbPool(config.mariadb);
  const driver = createNeo4jDriver(config.neo4j);
  const t0 = performance.now();
  let events: number;
  try {
    const stores = { driver, reader: new LogReader(pool), leases: new Leases(pool) };
    events = await rebuildGraph(
      stores,
      { kind: "import", server: config.neo4j.server },
      {
        onPhase: (phase, seconds) => log(`rebuild: ${phase} ${seconds.toFixed(1)} s`),
      },
    );
  } finally {
    await pool.end();
    await driver.close();
  }
  const rebuildSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const backend = await openGraphBackend(config);
  try {
    const { questions, differences } = await verifyGraph(backend);
    for (const d of differences.slice(0, 10)) {
      log(`${d.question}: graph ${JSON.stringify(d.graph)} != log ${JSON.stringify(d.log)}`);
    }
    return {
      events,
      rebuild_seconds: rebuildSeconds,
      verify_seconds: (performance.now() - t1) / 1000,
      questions,
      differences: differences.length,
    };
  } finally {
    await backend.close();
  }
}
