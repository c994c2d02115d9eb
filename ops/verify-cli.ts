import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config.js";
import { openGraphBackend } from "../lib/backend/graph-backend.js";
import { verifyGraph } from "./verify.js";

// `npm run verify [-- --json]`: every dashboard answer from Neo4j against SQL over the raw
// MariaDB log. --json prints one line {"questions":N,"differences":N,"equal":bool,"verdict":"…"}
// after the differences.
const { values } = parseArgs({ options: { json: { type: "boolean", default: false } } });
const backend = await openGraphBackend(loadConfig());
try {
  const { questions, differences } = await verifyGraph(backend);
  for (const d of differences) {
    console.log(`${d.question}: graph ${JSON.stringify(d.graph)} != log ${JSON.stringify(d.log)}`);
  }
  const verdict =
    differences.length === 0
      ? `verify: all ${questions} dashboard answers equal SQL over the raw log`
      : `verify: ${differences.length} differences in ${questions} answers`;
  console.log(
    values.json
      ? JSON.stringify({
          questions,
          differences: differences.length,
          equal: differences.length === 0,
          verdict,
        })
      : verdict,
  );
  process.exitCode = differences.length === 0 ? 0 : 1;
} finally {
  await backend.close();
}
