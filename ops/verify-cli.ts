import { loadConfig } from "../lib/config.js";
import { openGraphInterface } from "../lib/graph/graph-interface.js";
import { verifyGraph } from "./verify.js";

// `npm run verify`: every dashboard answer from Neo4j against SQL over the raw MariaDB log.
const backend = await openGraphInterface(loadConfig());
try {
  const { questions, differences } = await verifyGraph(backend);
  for (const d of differences) {
    console.log(`${d.question}: graph ${JSON.stringify(d.graph)} != log ${JSON.stringify(d.log)}`);
  }
  console.log(
    differences.length === 0
      ? `verify: all ${questions} dashboard answers equal SQL over the raw log`
      : `verify: ${differences.length} differences in ${questions} answers`,
  );
  process.exitCode = differences.length === 0 ? 0 : 1;
} finally {
  await backend.close();
}
