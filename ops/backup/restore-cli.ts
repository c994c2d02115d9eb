import { loadConfig } from "../../lib/config.js";
import { scratchConfig } from "../../scratch/scratch-stores.js";
import { lockScratchStores, SCRATCH_LOCK } from "../../scratch/scratch-lock.js";
import { BackupError } from "./backup-set.js";
import { parseRestoreArgs, RESTORE_USAGE, UsageError } from "./cli-args.js";
import { becomeRoot } from "./as-root.js";
import { rebuildAndVerify, restoredConfig, type GraphCheck } from "./rebuild-restored.js";
import { restoreBackup, type RestoreTarget } from "./restore.js";
import { countEvents } from "./restored-log.js";
import { backupSettings } from "./settings.js";
import { ToolError } from "./tools.js";

// `npm run restore -- BACKUP [--until TIME]` (see RESTORE_USAGE, docs/backups.md).

/** The service's server as provision/lib.sh runs it (Debian's datadir and socket). */
const SERVICE_DATADIR = "/var/lib/mysql";
const SERVICE_SOCKET = "/run/mysqld/mysqld.sock";
/** The graphs of the tests' stores: a restore rebuilds them only under the tests' lock. */
const TEST_GRAPHS = new Set(["neo4j-test", "neo4j-test-read"]);

const say = (line: string) => process.stderr.write(`restore: ${line}\n`);

try {
  const settings = backupSettings();
  const args = parseRestoreArgs(process.argv.slice(2), settings);
  if (args.help) {
    console.log(RESTORE_USAGE);
    process.exit(0);
  }
  becomeRoot("npm run restore");
  const config = loadConfig();
  const lock =
    args.graph !== null && TEST_GRAPHS.has(args.graph)
      ? await lockScratchStores(scratchConfig(), 0)
      : undefined;
  if (lock === null) {
    console.error(
      `restore: another run (npm test, npm run bench) holds the tests' stores (${SCRATCH_LOCK}), ` +
        `whose graph ${args.graph} the rebuild would replace: wait for it, or name another --graph`,
    );
    process.exit(1);
  }
  const target: RestoreTarget = args.toService
    ? {
        kind: "service",
        datadir: SERVICE_DATADIR,
        socket: SERVICE_SOCKET,
        port: config.mariadb.port,
      }
    : { kind: "scratch", dir: args.into, overwrite: args.overwrite };
  const started = performance.now();
  const restored = await restoreBackup({
    backup: args.backup,
    binlogDir: args.binlogDir,
    until: args.until,
    target,
    log: say,
  });
  let check: GraphCheck | null = null;
  let events: number;
  try {
    const restoredDb = restoredConfig(
      restored.port,
      restored.manifest.database,
      args.graph ?? "neo4j",
    );
    events = await countEvents(restoredDb.mariadb);
    say(`${events} events in the restored log`);
    if (args.graph !== null) check = await rebuildAndVerify(restoredDb, say);
  } finally {
    await restored.server?.stop();
    await lock?.release();
  }
  const total = (performance.now() - started) / 1000;
  const round = (s: number) => Math.round(s * 1000) / 1000;
  const report = {
    backup: args.backup,
    target: args.toService ? "service" : args.into,
    until: args.until === null ? null : new Date(args.until / 1000).toISOString(),
    binlog_files: restored.binlogFiles.length,
    events,
    seconds: {
      copy: round(restored.seconds.copy),
      start: round(restored.seconds.start),
      replay: round(restored.seconds.replay),
      rebuild: check ? round(check.rebuild_seconds) : null,
      verify: check ? round(check.verify_seconds) : null,
      total: round(total),
    },
    graph: args.graph,
    questions: check?.questions ?? null,
    differences: check?.differences ?? null,
    moved_aside: restored.movedAside,
  };
  if (args.json) console.log(JSON.stringify(report));
  else {
    console.log(
      `restored ${events} events from ${args.backup} in ${total.toFixed(1)} s ` +
        `(copy ${report.seconds.copy} s, start ${report.seconds.start} s, replay of ` +
        `${report.binlog_files} binary-log files ${report.seconds.replay} s` +
        (check
          ? `, graph rebuild into ${args.graph} ${report.seconds.rebuild} s, verify ` +
            `${report.seconds.verify} s: ${check.differences} differences in ${check.questions} answers)`
          : ")"),
    );
    if (restored.server) {
      console.log(
        `the restored server is stopped; start it again with: ${restored.server.startCommand}`,
      );
    }
  }
  process.exitCode = check && check.differences > 0 ? 1 : 0;
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${RESTORE_USAGE}`);
    process.exit(2);
  }
  if (error instanceof BackupError || error instanceof ToolError) {
    console.error(`restore failed: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
