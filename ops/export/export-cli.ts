import { DEFAULTS, loadConfig, PROJECT_ROOT } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import path from "node:path";
import { exportEvents, ExportError } from "./export.js";
import { EXPORT_USAGE, ExportUsageError, parseExportArgs } from "./export-plan.js";

// `npm run export -- --from DATE --to DATE [--format parquet|csv] [--out DIR] [--overwrite]`:
// the raw events as files partitioned by day (EXPORT_USAGE, docs/analysis.md). Needs only the
// log's own account: no root.
const say = (line: string) => process.stderr.write(`export: ${line}\n`);
const defaultOut = path.resolve(PROJECT_ROOT, process.env.EXPORT_DIR || DEFAULTS.EXPORT_DIR!);
let args;
try {
  args = parseExportArgs(process.argv.slice(2), defaultOut);
} catch (error) {
  if (!(error instanceof ExportUsageError)) throw error;
  console.error(`${error.message}\n\n${EXPORT_USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(EXPORT_USAGE);
  process.exit(0);
}
const pool = createMariadbPool(loadConfig().mariadb);
try {
  const result = await exportEvents(pool, { ...args, log: say });
  const rate = result.seconds > 0 ? Math.round(result.rows / result.seconds) : 0;
  // The process's peak resident memory: what "bounded memory" means in numbers.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  if (args.json) {
    console.log(
      JSON.stringify({
        rows: result.rows,
        days: result.written.length,
        skipped: result.skipped.length,
        seconds: Math.round(result.seconds * 100) / 100,
        rows_per_s: rate,
        peak_rss_mb: peakRssMb,
      }),
    );
  } else {
    console.log(
      `exported ${result.rows} events of ${result.written.length} days to ${args.out} as ` +
        `${args.format} in ${result.seconds.toFixed(1)} s (${rate} rows/s, peak RSS ` +
        `${peakRssMb} MiB); ${result.skipped.length} days already there`,
    );
  }
} catch (error) {
  if (!(error instanceof ExportError)) throw error;
  console.error(`export failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
