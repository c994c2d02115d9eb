import path from "node:path";
import { DEFAULTS, PROJECT_ROOT } from "../../lib/config.js";

/**
 * Where backups, the binary log and restores live (config/defaults.env, overridable by the
 * environment): the operator commands' settings, read in one place. Paths are taken as given;
 * a relative one is the project's.
 */
export interface BackupSettings {
  /** Where `npm run backup` writes, one directory per backup. */
  backupDir: string;
  /** Complete backups kept; older ones (and binary logs only they needed) are removed. */
  keep: number;
  /** The service's MariaDB socket: mariadb-backup logs in over it as root (unix_socket). */
  socket: string;
  /** The service's binary log directory (log_bin's), outside its datadir. */
  binlogDir: string;
  /** Where `npm run restore` makes its scratch servers, one directory each. */
  restoreDir: string;
}

function setting(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value !== undefined && value !== "") return value;
  const fallback = DEFAULTS[name];
  if (fallback === undefined) throw new Error(`config/defaults.env defines no ${name}`);
  return fallback;
}

const absolute = (value: string) => path.resolve(PROJECT_ROOT, value);

export function backupSettings(env: NodeJS.ProcessEnv = process.env): BackupSettings {
  const keep = Number(setting(env, "MARIADB_BACKUP_KEEP"));
  if (!Number.isInteger(keep) || keep < 1) {
    throw new Error(`MARIADB_BACKUP_KEEP must be a whole number of backups, 1 or more`);
  }
  return {
    backupDir: absolute(setting(env, "MARIADB_BACKUP_DIR")),
    keep,
    socket: setting(env, "MARIADB_BACKUP_SOCKET"),
    binlogDir: absolute(setting(env, "MARIADB_BINLOG_DIR")),
    restoreDir: absolute(setting(env, "MARIADB_RESTORE_DIR")),
  };
}
