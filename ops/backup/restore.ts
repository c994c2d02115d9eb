import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../lib/config.js";
import type { Micros } from "../../lib/model/timestamp.js";
import { backupName, BackupError, openBackup, type BackupManifest } from "./backup-set.js";
import { collectBinlogs, replayBinlog } from "./binlog-replay.js";
import { startScratchServer, type ScratchServer } from "./scratch-server.js";
import { localServerVersion, runTool, type AdminLogin } from "./tools.js";

const run = promisify(execFile);

/** Where a restore goes. */
export type RestoreTarget =
  /** A scratch server in a new directory: `dir` (must be absent or empty unless `overwrite`). */
  | { kind: "scratch"; dir: string; overwrite: boolean }
  /** The service's own MariaDB, which must be stopped; its datadir is moved aside, not deleted. */
  | { kind: "service"; datadir: string; socket: string; port: number };

export interface RestoreOptions {
  backup: string;
  /** Replay the binary log from this directory; null: stop at the backup's own moment. */
  binlogDir: string | null;
  /** Stop the replay here (see stopDatetime); null: replay everything logged. */
  until: Micros | null;
  target: RestoreTarget;
  log?: (line: string) => void;
}

/** The restored server, running: the scratch one, or the service's. */
export interface Restored {
  manifest: BackupManifest;
  /** The scratch server (null when the service's was restored: services.sh runs that one). */
  server: ScratchServer | null;
  port: number;
  admin: AdminLogin;
  /** Where the replaced datadir went (service restores). */
  movedAside: string | null;
  binlogFiles: string[];
  seconds: { copy: number; start: number; replay: number };
}

const COPY_TIMEOUT_MS = 6 * 3600_000;

const isEmptyDir = (dir: string) => !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;

/** Whether anything accepts connections on a loopback port. */
async function listening(port: number): Promise<boolean> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, timeout: 2000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

/**
 * Restores a backup: checks it (complete, prepared, this major version), copies it into the
 * target's datadir with mariadb-backup --copy-back, starts the server and replays the binary
 * log from the backup's position (up to `until`). Leaves the server running for the graph
 * rebuild and the checks; the caller stops a scratch server.
 */
export async function restoreBackup(options: RestoreOptions): Promise<Restored> {
  const log = options.log ?? (() => {});
  const backup = path.resolve(options.backup);
  const manifest = openBackup(backup, await localServerVersion());
  if (options.until !== null && options.binlogDir === null) {
    throw new BackupError("--until needs the binary log (--binlog-dir)");
  }
  if (options.binlogDir !== null && manifest.binlog === null) {
    throw new BackupError(
      `${backup} was taken with the binary log off: it restores only to its own moment ` +
        "(leave out --until; --no-binlog)",
    );
  }
  const target = options.target;
  let datadir: string;
  let workDir: string;
  let movedAside: string | null = null;
  if (target.kind === "scratch") {
    if (!isEmptyDir(target.dir)) {
      if (!target.overwrite) {
        throw new BackupError(
          `${target.dir} is not empty: choose another --into, or add --overwrite`,
        );
      }
      fs.rmSync(target.dir, { recursive: true, force: true });
    }
    // The scratch server runs as mysql: it must pass through the restores' folder (root's, made
    // here or by an earlier restore) to reach its own, which it then owns.
    const root = path.dirname(target.dir);
    fs.mkdirSync(root, { recursive: true, mode: 0o711 });
    const rootMode = fs.statSync(root).mode;
    if ((rootMode & 0o001) === 0) fs.chmodSync(root, (rootMode & 0o777) | 0o001);
    fs.mkdirSync(target.dir, { recursive: true, mode: 0o750 });
    datadir = path.join(target.dir, "data");
    workDir = path.join(target.dir, "binlog");
  } else {
    if ((await listening(target.port)) || fs.existsSync(target.socket)) {
      throw new BackupError(
        `the service's MariaDB is running (port ${target.port}, ${target.socket}): stop the API ` +
          "and `bash provision/services.sh stop mariadb` first",
      );
    }
    datadir = target.datadir;
    workDir = fs.mkdtempSync(path.join(path.dirname(datadir), "vowelgraph-restore-binlog-"));
    if (!isEmptyDir(datadir)) {
      movedAside = `${datadir.replace(/\/+$/, "")}.before-restore-${backupName(new Date())}`;
      fs.renameSync(datadir, movedAside);
      log(`moved the service's datadir aside: ${movedAside}`);
    }
  }
  // The binary log is copied before any server starts: a restarted server adds files to it.
  const binlogFiles =
    options.binlogDir !== null && manifest.binlog !== null
      ? collectBinlogs(manifest.binlog, options.binlogDir, workDir)
      : [];

  const t0 = performance.now();
  log(`copying ${backup} into ${datadir}`);
  await runTool(
    "mariadb-backup",
    ["--no-defaults", "--copy-back", `--target-dir=${backup}`, `--datadir=${datadir}`],
    { timeoutMs: COPY_TIMEOUT_MS },
  );
  const copy = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  let server: ScratchServer | null = null;
  let port: number;
  let admin: AdminLogin;
  if (target.kind === "scratch") {
    server = await startScratchServer(target.dir);
    port = server.port;
    admin = server.admin;
  } else {
    await run("chown", ["-R", "mysql:mysql", datadir]);
    await run("bash", [path.join(PROJECT_ROOT, "provision", "services.sh"), "start", "mariadb"], {
      timeout: 600_000,
    });
    port = target.port;
    admin = { socket: target.socket, user: "root" };
  }
  const start = (performance.now() - t1) / 1000;

  let replay = 0;
  if (binlogFiles.length > 0 && manifest.binlog !== null) {
    log(
      `replaying ${binlogFiles.length} binary-log files from ${manifest.binlog.file}:${manifest.binlog.position}`,
    );
    try {
      replay = await replayBinlog(binlogFiles, manifest.binlog, admin, options.until);
    } catch (error) {
      await server?.stop();
      throw error;
    }
  }
  if (target.kind === "service") fs.rmSync(workDir, { recursive: true, force: true });
  return {
    manifest,
    server,
    port,
    admin,
    movedAside,
    binlogFiles,
    seconds: { copy, start, replay },
  };
}
