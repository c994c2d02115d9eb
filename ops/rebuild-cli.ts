import { parseArgs } from "node:util";
import { isManagedServer, loadConfig } from "../lib/config.js";
import { LogReader } from "../lib/log/log-reader.js";
import { createMariadbPool, migrate } from "../lib/stores/mariadb.js";
import { createNeo4jDriver } from "../lib/stores/neo4j.js";
import { rebuildGraph, type RebuildMode } from "./rebuild.js";

const USAGE = `usage: npm run graph:rebuild [-- --replay] [-- --server SERVER] [-- --json]

Recreates the Neo4j graph from the MariaDB log.
  (default)        bulk import: stops the local Neo4j server named by --server (default
                   NEO4J_SERVER, "neo4j"; also neo4j-read, neo4j-test, neo4j-test-read), imports the
                   whole log, starts it; needs root or sudo
  --replay         empties the graph and replays the log through Cypher, online, on any server
  --json           print one JSON line instead of the prose report:
                   {"events":N,"seconds":S,"events_per_s":R,"mode":"import"|"replay","phases":{NAME:S,...}}`;

const { values } = parseArgs({
  options: {
    replay: { type: "boolean", default: false },
    server: { type: "string" },
    json: { type: "boolean", default: false },
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
if (mode.kind === "import" && !isManagedServer(config.neo4j.uri, mode.server)) {
  // The import would stop and replace the named server's store, not the graph behind the URI.
  console.error(
    `graph:rebuild: ${config.neo4j.uri} is not the local server "${mode.server}" that a bulk ` +
      `import stops and replaces; name it with --server (NEO4J_SERVER), or use --replay`,
  );
  process.exit(2);
}

const pool = createMariadbPool(config.mariadb);
const driver = createNeo4jDriver(config.neo4j);
try {
  await migrate(pool);
  const started = performance.now();
  let lastReport = 0;
  const phases: [string, number][] = [];
  const stores = { driver, reader: new LogReader(pool) };
  const events = await rebuildGraph(stores, mode, {
    onProgress: (behind) => {
      if (performance.now() - lastReport < 1000) return;
      lastReport = performance.now();
      process.stderr.write(`\rcatching up: ${behind} events to go   `);
    },
    onPhase: (phase, seconds) => phases.push([phase, seconds]),
  });
  const seconds = (performance.now() - started) / 1000;
  const eventsPerSecond = Math.round(events / seconds);
  if (values.json) {
    const round = (value: number) => Math.round(value * 1000) / 1000;
    const phaseSeconds = Object.fromEntries(phases.map(([phase, s]) => [phase, round(s)]));
    console.log(
      JSON.stringify({
        events,
        seconds: round(seconds),
        events_per_s: eventsPerSecond,
        mode: mode.kind,
        phases: phaseSeconds,
      }),
    );
  } else {
    console.log(`phases: ${phases.map(([phase, s]) => `${phase} ${s.toFixed(1)} s`).join(", ")}`);
    console.log(
      `rebuilt the graph from ${events} events in ${seconds.toFixed(1)} s ` +
        `(${eventsPerSecond} events/s, ${mode.kind})`,
    );
  }
} finally {
  await pool.end();
  await driver.close();
}
