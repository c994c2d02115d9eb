import fs from "node:fs";
import path from "node:path";
import { majorVersion } from "./tools.js";

/**
 * A backup on disk: the directory mariadb-backup wrote and prepared, and the manifest this
 * project writes last, when everything else is in place. A directory without the manifest (or
 * still named *.partial) was interrupted and is never restored.
 */

export const MANIFEST = "vowelgraph-backup.json";
const MANIFEST_FORMAT = 1;
export const PARTIAL_SUFFIX = ".partial";

/** Where the binary log stood at the backup's consistent point: where a replay starts. */
export interface BinlogPosition {
  file: string;
  position: number;
  gtid: string;
}

export interface BackupManifest {
  format: number;
  started_at: string;
  finished_at: string;
  /** The copy while the server writes (mariadb-backup --backup). */
  backup_seconds: number;
  /** Applying the copied redo log, offline (mariadb-backup --prepare). */
  prepare_seconds: number;
  /** How long commits were blocked (BACKUP STAGE BLOCK_COMMIT until END), as seen here. */
  commit_block_ms: number | null;
  server_version: string;
  /** The log's database, which a restore opens. */
  database: string;
  /** null when the server had no binary log: then a restore stops at the backup. */
  binlog: BinlogPosition | null;
  bytes: number;
}

export class BackupError extends Error {}

/** A name that sorts by time: 2026-12-06T18-32-21Z (UTC). */
export function backupName(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/:/g, "-");
}

/** `key = value` lines (xtrabackup_checkpoints, xtrabackup_info). */
export function parseKeyValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*([a-z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values.set(match[1]!, match[2]!);
  }
  return values;
}

/** xtrabackup_binlog_info: "mariadb-bin.000003<TAB>837<TAB>0-1-3", or null when empty. */
export function parseBinlogInfo(text: string): BinlogPosition | null {
  const [file, position, gtid] = text.trim().split(/\s+/);
  if (!file || !position || !/^\d+$/.test(position)) return null;
  return { file, position: Number(position), gtid: gtid ?? "" };
}

/** A backup found in the backup directory: its name, and whether it is complete. */
export interface BackupEntry {
  name: string;
  complete: boolean;
}

export function listBackups(backupDir: string): BackupEntry[] {
  if (!fs.existsSync(backupDir)) return [];
  return fs
    .readdirSync(backupDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => ({
      name: entry.name,
      complete:
        !entry.name.endsWith(PARTIAL_SUFFIX) &&
        fs.existsSync(path.join(backupDir, entry.name, MANIFEST)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Retention: the `keep` newest complete backups stay; older complete ones go, and so does every
 * incomplete one except `writing` (the backup being taken now). Names sort by time.
 */
export function backupsToRemove(
  entries: readonly BackupEntry[],
  keep: number,
  writing?: string,
): string[] {
  const complete = entries.filter((entry) => entry.complete).map((entry) => entry.name);
  const kept = new Set(complete.sort().slice(-keep));
  return entries
    .filter((entry) => !kept.has(entry.name) && entry.name !== writing)
    .map((entry) => entry.name);
}

/** A backup that may be restored, with its manifest; anything else is a BackupError. */
export function openBackup(dir: string, localVersion: string): BackupManifest {
  if (!fs.existsSync(dir)) throw new BackupError(`no backup at ${dir}`);
  if (!fs.statSync(dir).isDirectory()) throw new BackupError(`${dir} is not a backup directory`);
  const manifestFile = path.join(dir, MANIFEST);
  const checkpoints = path.join(dir, "xtrabackup_checkpoints");
  if (!fs.existsSync(checkpoints) && !fs.existsSync(manifestFile)) {
    throw new BackupError(`${dir} is not a backup (no ${MANIFEST}, no xtrabackup_checkpoints)`);
  }
  if (dir.endsWith(PARTIAL_SUFFIX) || !fs.existsSync(manifestFile)) {
    throw new BackupError(
      `${dir} is a partial backup: it was interrupted before it was complete (no ${MANIFEST}); ` +
        "restore another one",
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as BackupManifest;
  if (manifest.format !== MANIFEST_FORMAT) {
    throw new BackupError(
      `${dir} has manifest format ${manifest.format}; this version reads ${MANIFEST_FORMAT}`,
    );
  }
  const state = fs.existsSync(checkpoints)
    ? parseKeyValues(fs.readFileSync(checkpoints, "utf8")).get("backup_type")
    : undefined;
  if (state !== "log-applied") {
    throw new BackupError(
      `${dir} is a partial backup: it was never prepared (backup_type ${state ?? "missing"}, ` +
        "not log-applied); restore another one",
    );
  }
  const [theirs, ours] = [majorVersion(manifest.server_version), majorVersion(localVersion)];
  if (theirs === null || theirs !== ours) {
    throw new BackupError(
      `${dir} was taken from MariaDB ${manifest.server_version}; this machine's mariadbd is ` +
        `${localVersion}. A physical backup opens only in the same major version (${theirs}): ` +
        `restore it on a machine with MariaDB ${theirs}, then take a logical dump there`,
    );
  }
  return manifest;
}

export function writeManifest(dir: string, manifest: BackupManifest) {
  // Written whole, then renamed: a manifest is either absent or complete.
  const file = path.join(dir, MANIFEST);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

export function readManifest(dir: string): BackupManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), "utf8")) as BackupManifest;
}

/** Bytes of every file under `dir`. */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
