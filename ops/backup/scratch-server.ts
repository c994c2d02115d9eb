import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { adminQuery, runTool, systemCommand, type AdminLogin } from "./tools.js";

/**
 * A MariaDB server of a restore's own: Debian's mariadbd on a datadir in a directory of its own
 * (its my.cnf, socket, pid file and error log beside the datadir), on a free loopback port,
 * without a binary log. Nothing on the machine is reconfigured; the service's server is untouched.
 */
export interface ScratchServer {
  dir: string;
  port: number;
  socket: string;
  /** How to start it again by hand once this process has stopped it. */
  startCommand: string;
  admin: AdminLogin;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on loopback. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 120_000;

/** The account mariadbd runs as: mysql when this process is root, else this process's own. */
function serverAccount(): string {
  return process.getuid?.() === 0 ? "mysql" : os.userInfo().username;
}

export interface ScratchOptions {
  bufferPool?: string;
  /** Write a binary log (row format) under this directory; default: none. */
  binlogDir?: string;
}

/**
 * A new, empty server of its own (mariadb-install-db, root by socket only) in `dir`, started:
 * what the recovery-time measurement backs up and restores.
 */
export async function createScratchServer(dir: string, options: ScratchOptions = {}) {
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  if (serverAccount() === "mysql") chownToMysql(dir);
  await runTool(
    "mariadb-install-db",
    [
      "--no-defaults",
      `--datadir=${path.join(dir, "data")}`,
      `--user=${serverAccount()}`,
      "--auth-root-authentication-method=socket",
      "--skip-test-db",
    ],
    { timeoutMs: START_TIMEOUT_MS },
  );
  return startScratchServer(dir, options);
}

/** Starts mariadbd on `dir`/data; resolves once it answers over its socket. */
export async function startScratchServer(
  dir: string,
  { bufferPool = "256M", binlogDir }: ScratchOptions = {},
): Promise<ScratchServer> {
  const datadir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const errorLog = path.join(dir, "error.log");
  const port = await freeLoopbackPort();
  const account = serverAccount();
  const cnf = path.join(dir, "my.cnf");
  fs.writeFileSync(
    cnf,
    [
      "# A restored copy of the vowelgraph log (npm run restore); not the service's server.",
      "[mariadbd]",
      `datadir = ${datadir}`,
      `socket = ${socket}`,
      `pid-file = ${path.join(dir, "mysqld.pid")}`,
      `log-error = ${errorLog}`,
      `port = ${port}`,
      "bind-address = 127.0.0.1",
      `user = ${account}`,
      ...(binlogDir
        ? [
            `log-bin = ${binlogDir}/mariadb-bin`,
            "binlog_format = ROW",
            "server_id = 1",
            "sync_binlog = 1",
          ]
        : ["skip-log-bin"]),
      `innodb_buffer_pool_size = ${bufferPool}`,
      "innodb_flush_log_at_trx_commit = 1",
      "default_time_zone = '+00:00'",
      "character_set_server = utf8mb4",
      "collation_server = utf8mb4_unicode_ci",
      "skip_name_resolve = ON",
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  if (binlogDir) fs.mkdirSync(binlogDir, { recursive: true });
  if (account === "mysql") chownToMysql(dir, binlogDir);
  const child: ChildProcess = spawn(systemCommand("mariadbd"), [`--defaults-file=${cnf}`], {
    stdio: "ignore",
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const admin: AdminLogin = { socket, user: process.getuid?.() === 0 ? "root" : account };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `mariadbd (as ${account}) exited during start; can ${account} reach ${dir}?\n${tail(errorLog)}`,
      );
    }
    if (
      await adminQuery(admin, "SELECT 1", 5000).then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `mariadbd did not answer within ${START_TIMEOUT_MS / 1000} s:\n${tail(errorLog)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    dir,
    port,
    socket,
    startCommand: `mariadbd --defaults-file=${cnf} &`,
    admin,
    stop,
  };
}

/** The server's files belong to the account it runs as. */
function chownToMysql(...dirs: (string | undefined)[]) {
  for (const dir of dirs) {
    if (dir === undefined) continue;
    for (const entry of [dir, ...walk(dir)]) fs.chownSync(entry, uidOf("mysql"), gidOf("mysql"));
    fs.chmodSync(dir, 0o750);
  }
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const idOf = (file: string, name: string) => {
  const line = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no account ${name} in ${file} (is mariadb-server installed?)`);
  return Number(line.split(":")[2]);
};
const uidOf = (name: string) => idOf("/etc/passwd", name);
const gidOf = (name: string) => idOf("/etc/group", name);

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-25).join("\n");
  } catch {
    return "(no error log)";
  }
}
