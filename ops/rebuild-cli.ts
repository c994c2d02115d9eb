import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config.js";
import { Leases } from "../lib/graph/lease.js";
import { LogReader } from "../lib/graph/log-reader.js";
import { createMariadbPool, migrate } from "../lib/graph/mariadb.js";
import { createNeo4jDriver } from "../lib/graph/neo4j.js";
import { rebuildGraph, type RebuildMode } from "./rebuild.js";

const USAGE = `usage: npm run graph:rebuild [-- --replay] [-- --server neo4j|neo4j-test]

Recreates the Neo4j graph from the MariaDB log.
  (default)        bulk import: stops the local Neo4j server named by --server (default
                   NEO4J_SERVER, "neo4j"), imports the whole log, starts it; needs root or sudo
  --replay         empties the graph and replays the log through Cypher, online, on any server`;

const { values } = parseArgs({
  options: {
    replay: { type: "boolean", default: false },
    server: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const config = loadConfig();
const mode: RebuildMode = values.replay
  ? { kind: "replay" }
  : { kind: "import", server: values.server ?? config.neo4j.server };

const pool = createMariadbPool(config.mariadb);
const driver = createNeo4jDriver(config.neo4j);
try {
  await migrate(pool);
  const started = performance.now();
  let lastReport = 0;
  const phases: string[] = [];
  const stores = { driver, reader: new LogReader(pool), leases: new Leases(pool) };
  const events = await rebuildGraph(stores, mode, {
    onProgress: (behind) => {
      if (performance.now() - lastReport < 1000) return;
      lastReport = performance.now();
      process.stderr.write(`\rcatching up: ${behind} events to go   `);
    },
    onPhase: (phase, seconds) => phases.push(`${phase} ${seconds.toFixed(1)} s`),
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`phases: ${phases.join(", ")}`);
  console.log(
    `rebuilt the graph from ${events} events in ${seconds.toFixed(1)} s ` +
      `(${Math.round(events / seconds)} events/s, ${mode.kind})`,
  );
} finally {
  await pool.end();
  await driver.close();
}
