import fs from "node:fs";
import path from "node:path";
import {
  backupName,
  backupsToRemove,
  directoryBytes,
  listBackups,
  parseBinlogInfo,
  PARTIAL_SUFFIX,
  readManifest,
  writeManifest,
  BackupError,
  type BackupManifest,
} from "./backup-set.js";
import { adminQuery, runTool, type AdminLogin } from "./tools.js";

/** The server to back up: an administrator's login over its socket, and the log's database. */
export interface BackupSource {
  login: AdminLogin;
  database: string;
  /**
   * Whether mariadb-backup skips the machine's option files (a server started with
   * --no-defaults); Debian's server is described by them, so they are read.
   */
  noDefaults?: boolean;
}

export interface BackupOptions {
  backupDir: string;
  keep: number;
  /** Progress lines (mariadb-backup's own, and this module's). */
  log?: (line: string) => void;
}

export interface BackupResult {
  dir: string;
  manifest: BackupManifest;
  /** Backups removed by the retention. */
  removed: string[];
  /** The first binary log still kept (older ones were purged: no kept backup needs them). */
  binlogsFrom: string | null;
}

/** Bounds on mariadb-backup's runs: a copy of a large log is long, but never endless. */
const BACKUP_TIMEOUT_MS = 6 * 3600_000;
const PREPARE_TIMEOUT_MS = 2 * 3600_000;
/** How often mariadb-backup's redo-log copier looks for new log (its default: 1000 ms). */
const LOG_COPY_INTERVAL_MS = 10;

const isInside = (child: string, parent: string) => {
  const relative = path.relative(path.resolve(parent), path.resolve(child));
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
};

/** One backup at a time per directory: a lock file holding the taker's pid. */
function lockBackupDir(dir: string): () => void {
  const lock = path.join(dir, ".backup.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx", mode: 0o600 });
      return () => fs.rmSync(lock, { force: true });
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      const holder = Number(fs.readFileSync(lock, "utf8"));
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = true;
      } catch {
        // Its taker is gone: the lock is stale.
      }
      if (alive) throw new BackupError(`another backup (pid ${holder}) is writing to ${dir}`);
      fs.rmSync(lock, { force: true });
    }
  }
  throw new BackupError(`could not lock ${dir}`);
}

/**
 * A hot backup of the server with mariadb-backup: the files are copied while it takes writes
 * (commits are blocked only for BACKUP STAGE BLOCK_COMMIT, at the end, to fix the binary-log
 * position), prepared, described by a manifest, then the retention applies: older backups
 * beyond `keep`, and the binary logs that only they needed, are removed.
 */
export async function takeBackup(
  source: BackupSource,
  { backupDir, keep, log = () => {} }: BackupOptions,
): Promise<BackupResult> {
  const [[datadir, version, logBin, binlogBase]] = (await adminQuery(
    source.login,
    "SELECT @@datadir, @@version, @@log_bin, COALESCE(@@log_bin_basename, '')",
  )) as [[string, string, string, string]];
  if (isInside(backupDir, datadir)) {
    throw new BackupError(
      `the backup directory ${backupDir} is inside the server's datadir ${datadir}: set ` +
        "MARIADB_BACKUP_DIR to a directory outside it (on another disk, ideally)",
    );
  }
  fs.mkdirSync(backupDir, { recursive: true, mode: 0o700 });
  const unlock = lockBackupDir(backupDir);
  try {
    const started = new Date();
    const name = backupName(started);
    const partial = path.join(backupDir, name + PARTIAL_SUFFIX);
    if (fs.existsSync(path.join(backupDir, name))) {
      throw new BackupError(`${path.join(backupDir, name)} exists already`);
    }
    fs.rmSync(partial, { recursive: true, force: true });
    if (logBin !== "1") log("the binary log is off: a restore of this backup stops at its moment");

    // Commits wait from BACKUP STAGE BLOCK_COMMIT until BACKUP STAGE END: timed as the lines come.
    let blockedAt: number | null = null;
    let commitBlockMs: number | null = null;
    const t0 = performance.now();
    await runTool(
      "mariadb-backup",
      [
        ...(source.noDefaults ? ["--no-defaults"] : []),
        "--backup",
        `--target-dir=${partial}`,
        `--socket=${source.login.socket}`,
        `--user=${source.login.user}`,
        `--datadir=${datadir}`,
        // Commits stay blocked until the redo-log copier has caught up, and by default it
        // looks once a second: that second was the whole pause under load.
        `--log-copy-interval=${LOG_COPY_INTERVAL_MS}`,
      ],
      {
        timeoutMs: BACKUP_TIMEOUT_MS,
        onStderrLine: (line) => {
          if (/Starting BACKUP STAGE BLOCK_COMMIT/.test(line)) blockedAt = performance.now();
          if (/Starting BACKUP STAGE END/.test(line) && blockedAt !== null) {
            commitBlockMs = performance.now() - blockedAt;
          }
          if (/BACKUP STAGE|completed OK|Redo log/.test(line)) log(line);
        },
      },
    );
    const backupSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await runTool(
      "mariadb-backup",
      [
        `--defaults-file=${path.join(partial, "backup-my.cnf")}`,
        "--prepare",
        `--target-dir=${partial}`,
      ],
      { timeoutMs: PREPARE_TIMEOUT_MS },
    );
    const prepareSeconds = (performance.now() - t1) / 1000;
    const binlogInfo = path.join(partial, "xtrabackup_binlog_info");
    const manifest: BackupManifest = {
      format: 1,
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      backup_seconds: Math.round(backupSeconds * 1000) / 1000,
      prepare_seconds: Math.round(prepareSeconds * 1000) / 1000,
      commit_block_ms: commitBlockMs === null ? null : Math.round(commitBlockMs),
      server_version: version,
      database: source.database,
      binlog:
        logBin === "1" && fs.existsSync(binlogInfo)
          ? parseBinlogInfo(fs.readFileSync(binlogInfo, "utf8"))
          : null,
      bytes: directoryBytes(partial),
    };
    writeManifest(partial, manifest);
    const dir = path.join(backupDir, name);
    fs.renameSync(partial, dir);
    log(`backup complete: ${dir}`);

    const removed = backupsToRemove(listBackups(backupDir), keep, name);
    for (const old of removed) {
      fs.rmSync(path.join(backupDir, old), { recursive: true, force: true });
      log(`retention: removed ${old}`);
    }
    const binlogsFrom = logBin === "1" && binlogBase ? await purgeBinlogs(source, backupDir) : null;
    return { dir, manifest, removed, binlogsFrom };
  } finally {
    unlock();
  }
}

/**
 * Purges the binary logs older than the oldest kept backup's position: no kept backup can be
 * brought forward from them. Returns the first file kept.
 */
async function purgeBinlogs(source: BackupSource, backupDir: string): Promise<string | null> {
  const oldest = listBackups(backupDir).find((entry) => entry.complete);
  if (!oldest) return null;
  const file = readManifest(path.join(backupDir, oldest.name)).binlog?.file;
  if (!file || !/^[\w.-]+$/.test(file)) return null;
  await adminQuery(source.login, `PURGE BINARY LOGS TO '${file}'`);
  return file;
}
