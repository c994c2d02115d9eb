import { loadConfig } from "../config.js";
import { openGraphInterface } from "./graph-interface.js";
import { rebuildGraph } from "./rebuild.js";

// `npm run graph:rebuild`: recreates the Neo4j graph from the MariaDB log.
const backend = await openGraphInterface(loadConfig());
try {
  const started = performance.now();
  let lastReport = 0;
  const events = await rebuildGraph(backend, (position, target) => {
    if (performance.now() - lastReport < 1000) return;
    lastReport = performance.now();
    process.stderr.write(`\rrebuilding: ${position} of ${target} events`);
  });
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write("\n");
  console.log(
    `rebuilt the graph from ${events} events in ${seconds.toFixed(1)} s ` +
      `(${Math.round(events / seconds)} events/s)`,
  );
} finally {
  await backend.close();
}
