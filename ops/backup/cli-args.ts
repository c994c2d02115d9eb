import path from "node:path";
import { parseArgs } from "node:util";
import { parseTimestamp, type Micros } from "../../lib/model/timestamp.js";
import { backupName } from "./backup-set.js";
import type { BackupSettings } from "./settings.js";

/** The flags of `npm run backup` and `npm run restore`, checked before anything runs. */

export class UsageError extends Error {}

export const BACKUP_USAGE = `usage: npm run backup [-- --dir DIR] [-- --keep N] [-- --json]

A hot backup of the service's MariaDB (mariadb-backup) while it takes writes, prepared, into
a new directory under MARIADB_BACKUP_DIR (--dir); then the retention: the newest
MARIADB_BACKUP_KEEP (--keep) complete backups stay, older ones go, and so do the binary logs
that only they needed. Needs root (re-runs itself through sudo).
  --json   one JSON line: {"dir":…,"manifest":{…},"removed":[…],"binlogs_from":…}`;

export const RESTORE_USAGE = `usage: npm run restore -- BACKUP [--until TIME] [options]

Restores BACKUP (a directory npm run backup wrote) into a scratch MariaDB server of its own
(a new directory under MARIADB_RESTORE_DIR, a free loopback port), brings it forward with the
binary log (MARIADB_BINLOG_DIR), rebuilds a graph from it and verifies the graph against it.
Needs root (re-runs itself through sudo).
  --until TIME       stop the replay at TIME (UTC: 2026-12-06 18:30:00, 2026-12-06T18:30:00Z,
                     or with an offset); the binary log has whole seconds: what was logged
                     before TIME's second is restored, nothing from it on
  --no-binlog        no replay: the log as it was at the backup
  --binlog-dir DIR   where the binary log is (default MARIADB_BINLOG_DIR)
  --into DIR         the scratch server's directory (default: a new one under MARIADB_RESTORE_DIR)
  --overwrite        --into may name a directory that is not empty: it is emptied first
  --to-service       restore into the service's own MariaDB instead; it must be stopped
                     (provision/services.sh stop mariadb); its datadir is moved aside, not deleted
  --graph SERVER     rebuild into this local Neo4j server (default: neo4j-test for a scratch
                     restore, the tests' graph, under their lock; neo4j with --to-service)
  --no-graph         no graph rebuild and no verification
  --json             one JSON line with the timings and the checks`;

export interface BackupArgs {
  help: boolean;
  backupDir: string;
  keep: number;
  json: boolean;
}

export function parseBackupArgs(argv: string[], settings: BackupSettings): BackupArgs {
  const { values } = parse(argv, {
    dir: { type: "string" },
    keep: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean" },
  });
  const keep = values.keep === undefined ? settings.keep : Number(values.keep);
  if (!Number.isInteger(keep) || keep < 1) {
    throw new UsageError(`--keep wants a whole number of backups, 1 or more; got "${values.keep}"`);
  }
  return {
    help: values.help === true,
    backupDir: values.dir === undefined ? settings.backupDir : path.resolve(values.dir),
    keep,
    json: values.json === true,
  };
}

export interface RestoreArgs {
  help: boolean;
  backup: string;
  until: Micros | null;
  binlogDir: string | null;
  into: string;
  overwrite: boolean;
  toService: boolean;
  /** The local Neo4j server rebuilt from the restored log, or null for none. */
  graph: string | null;
  json: boolean;
}

export function parseRestoreArgs(
  argv: string[],
  settings: BackupSettings,
  now: Date = new Date(),
): RestoreArgs {
  const { values, positionals } = parse(argv, {
    until: { type: "string" },
    "no-binlog": { type: "boolean" },
    "binlog-dir": { type: "string" },
    into: { type: "string" },
    overwrite: { type: "boolean" },
    "to-service": { type: "boolean" },
    graph: { type: "string" },
    "no-graph": { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean" },
  });
  const help = values.help === true;
  if (!help && positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "name the backup to restore (a directory under MARIADB_BACKUP_DIR)"
        : `one backup at a time; got ${positionals.join(", ")}`,
    );
  }
  let until: Micros | null = null;
  if (values.until !== undefined) {
    const parsed = parseTimestamp(values.until);
    if (parsed === undefined) {
      throw new UsageError(
        `--until wants a time such as "2026-12-06 18:30:00" or 2026-12-06T18:30:00Z; got "${values.until}"`,
      );
    }
    until = parsed;
  }
  if (values["no-binlog"] && (until !== null || values["binlog-dir"] !== undefined)) {
    throw new UsageError(
      "--no-binlog leaves out the replay: it takes neither --until nor --binlog-dir",
    );
  }
  if (values["to-service"] && (values.into !== undefined || values.overwrite)) {
    throw new UsageError(
      "--to-service restores into the service's datadir: no --into, no --overwrite",
    );
  }
  if (values["no-graph"] && values.graph !== undefined) {
    throw new UsageError("--graph and --no-graph contradict each other");
  }
  const toService = values["to-service"] === true;
  const backup =
    positionals[0] === undefined ? "" : path.resolve(settings.backupDir, positionals[0]);
  return {
    help,
    backup,
    until,
    binlogDir: values["no-binlog"]
      ? null
      : path.resolve(values["binlog-dir"] ?? settings.binlogDir),
    into:
      values.into !== undefined
        ? path.resolve(values.into)
        : path.join(settings.restoreDir, `${path.basename(backup)}-restored-${backupName(now)}`),
    overwrite: values.overwrite === true,
    toService,
    graph: values["no-graph"] ? null : (values.graph ?? (toService ? "neo4j" : "neo4j-test")),
    json: values.json === true,
  };
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
