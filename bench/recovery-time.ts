import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, PROJECT_ROOT } from "../lib/config.js";
import { seededRandom } from "../lib/model/random.js";
import { MICROS_PER_DAY } from "../lib/model/timestamp.js";
import { createMariadbPool } from "../lib/stores/mariadb.js";
import { takeBackup } from "../ops/backup/backup.js";
import { rebuildAndVerify, restoredConfig } from "../ops/backup/rebuild-restored.js";
import { restoreBackup } from "../ops/backup/restore.js";
import { createScratchServer } from "../ops/backup/scratch-server.js";
import { adminQuery } from "../ops/backup/tools.js";
import { scratchConfig } from "../scratch/scratch-stores.js";
import { holdScratchStores } from "./bench-stores.js";
import { generateEvents, loadEvents, MariadbBulkLoader, type LoadedTotals } from "./bulk-load.js";
import { say } from "./processes.js";
import { runJson } from "./run-script.js";
import { DATA_SPAN_DAYS, DATA_START } from "./settings.js";

/**
 * `npm run bench:recovery [-- --events N] [-- --after N] [-- --out FILE]`: the recovery time
 * of the log at N events (default 10^6). A MariaDB server of its own with the binary log on
 * (never the service's), N events bulk-loaded, a backup (npm run backup's code), `--after`
 * more events (default N/10) that only the binary log holds, then the restore (npm run
 * restore's code) into a scratch server, the bulk rebuild into neo4j-test (under the scratch
 * lock) and the verification; then `npm run export` of the restored log as Parquet (its rows/s
 * and peak RSS). Prints and writes one JSON object with the seconds of each step.
 */

/** What `npm run export -- --json` prints. */
interface ExportReport {
  rows: number;
  seconds: number;
  rows_per_s: number;
  peak_rss_mb: number;
}

const USAGE = `usage: npm run bench:recovery -- [--events N] [--after N] [--out FILE]`;

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1e6" },
    after: { type: "string" },
    out: { type: "string", default: path.join(PROJECT_ROOT, "bench", "results", "recovery.json") },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const events = Number(values.events);
const after = values.after === undefined ? Math.round(events / 10) : Number(values.after);
if (!Number.isInteger(events) || events < 1 || !Number.isInteger(after) || after < 0) {
  console.error(`--events and --after want whole numbers of events\n${USAGE}`);
  process.exit(2);
}

const round = (s: number) => Math.round(s * 100) / 100;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-recovery-"));
fs.chmodSync(work, 0o755); // the servers run as mysql when this runs as root
const held = await holdScratchStores(scratchConfig(), say);
if ("refused" in held) {
  console.error(held.refused);
  process.exit(1);
}
const source = await createScratchServer(path.join(work, "source"), {
  binlogDir: path.join(work, "binlog"),
  bufferPool: "1G",
});
try {
  const { user, password } = loadConfig().mariadb;
  const database = "og_recovery";
  // The log's account, as on the service's server (the password goes in on stdin).
  await adminQuery(
    source.admin,
    `CREATE DATABASE ${database}; CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password.replaceAll("'", "''")}';` +
      `GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'127.0.0.1';`,
  );
  const mariadb = { host: "127.0.0.1", port: source.port, user, password, database };
  const pool = createMariadbPool(mariadb);
  const totals: LoadedTotals = {
    initials: 0,
    followups: 0,
    firstInitial: Infinity,
    lastInitial: -Infinity,
  };
  const span = DATA_SPAN_DAYS * MICROS_PER_DAY;
  const loader = await MariadbBulkLoader.open(pool);
  say(`loading ${events} events`);
  const loadSeconds = await loadEvents(
    generateEvents(events, DATA_START, span, seededRandom(1)),
    [loader],
    totals,
  );
  say(`taking a backup`);
  const backup = await takeBackup(
    { login: source.admin, database, noDefaults: true },
    { backupDir: path.join(work, "backups"), keep: 1, log: () => {} },
  );
  say(`loading ${after} more events after the backup (the binary log's part)`);
  await loadEvents(
    generateEvents(after, DATA_START + span, span, seededRandom(2)),
    [loader],
    totals,
  );
  await loader.close();
  await pool.end();

  say("restoring into a scratch server, replaying the binary log");
  const restored = await restoreBackup({
    backup: backup.dir,
    binlogDir: path.join(work, "binlog"),
    until: null,
    target: { kind: "scratch", dir: path.join(work, "restored"), overwrite: false },
  });
  try {
    say("rebuilding neo4j-test from the restored log (bulk import), then verifying it");
    const config = restoredConfig(restored.port, database, scratchConfig().neo4j.server, {
      ...process.env,
      MARIADB_USER: user,
      MARIADB_PASSWORD: password,
    });
    const check = await rebuildAndVerify(config, say);
    say("exporting the restored log as Parquet (npm run export)");
    const exported = await runJson<ExportReport>(
      path.join(PROJECT_ROOT, "dist", "ops", "export", "export-cli.js"),
      {
        ...process.env,
        MARIADB_HOST: "127.0.0.1",
        MARIADB_PORT: String(restored.port),
        MARIADB_DATABASE: database,
        MARIADB_USER: user,
        MARIADB_PASSWORD: password,
      },
      ["--from", "2017-06-01", "--to", "2017-08-01", "--out", path.join(work, "export"), "--json"],
    );
    const seconds = {
      backup: round(backup.manifest.backup_seconds),
      prepare: round(backup.manifest.prepare_seconds),
      restore_copy: round(restored.seconds.copy),
      restore_start: round(restored.seconds.start),
      binlog_replay: round(restored.seconds.replay),
      rebuild: round(check.rebuild_seconds),
      verify: round(check.verify_seconds),
    };
    const report = {
      measured_at: new Date().toISOString(),
      events_in_backup: events,
      events_after_backup: after,
      events_restored: check.events,
      backup_mb: Math.round(backup.manifest.bytes / 2 ** 20),
      load_seconds: round(loadSeconds),
      seconds,
      recovery_seconds: round(
        seconds.restore_copy +
          seconds.restore_start +
          seconds.binlog_replay +
          seconds.rebuild +
          seconds.verify,
      ),
      differences: check.differences,
      questions: check.questions,
      export: exported,
      machine: { cores: os.cpus().length, load_average: os.loadavg()[0] },
    };
    fs.mkdirSync(path.dirname(values.out!), { recursive: true });
    fs.writeFileSync(values.out!, JSON.stringify(report, null, 2) + "\n");
    console.log(JSON.stringify(report));
    process.exitCode = check.differences === 0 && check.events === events + after ? 0 : 1;
  } finally {
    await restored.server?.stop();
  }
} finally {
  await source.stop();
  await held.release();
  fs.rmSync(work, { recursive: true, force: true });
}
