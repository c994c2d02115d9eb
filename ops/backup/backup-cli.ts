import { loadConfig } from "../../lib/config.js";
import { takeBackup } from "./backup.js";
import { BackupError } from "./backup-set.js";
import { BACKUP_USAGE, parseBackupArgs, UsageError } from "./cli-args.js";
import { becomeRoot } from "./as-root.js";
import { backupSettings } from "./settings.js";
import { ToolError } from "./tools.js";

// `npm run backup`: a hot backup of the service's MariaDB (see BACKUP_USAGE, docs/backups.md).
try {
  const settings = backupSettings();
  const args = parseBackupArgs(process.argv.slice(2), settings);
  if (args.help) {
    console.log(BACKUP_USAGE);
    process.exit(0);
  }
  becomeRoot("npm run backup");
  const config = loadConfig();
  const say = (line: string) => process.stderr.write(`backup: ${line}\n`);
  say(`${settings.socket} → ${args.backupDir} (keeping ${args.keep})`);
  const result = await takeBackup(
    // Debian's server lets the OS root in as its root over the socket (unix_socket): no password.
    { login: { socket: settings.socket, user: "root" }, database: config.mariadb.database },
    { backupDir: args.backupDir, keep: args.keep, log: say },
  );
  const m = result.manifest;
  if (args.json) {
    console.log(
      JSON.stringify({
        dir: result.dir,
        manifest: m,
        removed: result.removed,
        binlogs_from: result.binlogsFrom,
      }),
    );
  } else {
    console.log(
      `backup ${result.dir}: ${(m.bytes / 2 ** 20).toFixed(1)} MiB, copied in ` +
        `${m.backup_seconds.toFixed(1)} s (commits blocked ${m.commit_block_ms ?? "?"} ms), ` +
        `prepared in ${m.prepare_seconds.toFixed(1)} s; binary log from ` +
        `${m.binlog ? `${m.binlog.file}:${m.binlog.position}` : "(off)"}; ` +
        `removed ${result.removed.length} older`,
    );
  }
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${BACKUP_USAGE}`);
    process.exit(2);
  }
  if (error instanceof BackupError || error instanceof ToolError) {
    console.error(`backup failed: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
