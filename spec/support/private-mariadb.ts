import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { systemCommand as toolPath } from "../../ops/backup/tools.js";
import { freePort } from "./server-process.js";

const run = promisify(execFile);

/**
 * A MariaDB server of one spec's own: its own datadir, socket and port under a temporary
 * directory, Debian's `mariadbd` started with `--no-defaults`, so a spec may break it (make it
 * read-only, fill it) without touching the tests' server. The API connects as an account with
 * every privilege on its database and none global (no SUPER, no READ_ONLY ADMIN), like `og`.
 */
export interface PrivateMariadb {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** Its socket, and the account that administers it over the socket (the OS account's). */
  socket: string;
  adminUser: string;
  /** Runs SQL as the server's administrator (over the socket), returning its tab-separated rows. */
  admin(sql: string): Promise<string>;
  /** Stops the server and deletes everything it made. Safe to call more than once. */
  remove(): Promise<void>;
}

export interface PrivateMariadbOptions {
  /**
   * mariadbd options beyond the ones every private server gets, e.g. innodb_data_file_path;
   * they come last, so they win over the defaults (--log-bin over --skip-log-bin).
   */
  options?: string[];
}

/** Starts a private server, with the database and account the API needs; ~5 s. */
export async function startPrivateMariadb({
  options = [],
}: PrivateMariadbOptions = {}): Promise<PrivateMariadb> {
  const mariadbd = systemCommand("mariadbd");
  const installDb = systemCommand("mariadb-install-db");
  const mariadbClient = systemCommand("mariadb");
  const dir = await mkdtemp(path.join(os.tmpdir(), "vg-mariadb-"));
  const datadir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const errorLog = path.join(dir, "error.log");
  // The OS account runs the server, and administers it over the socket (unix_socket auth).
  const osUser = os.userInfo().username;
  // Options that shape the files on disk (the system tablespace) must be the same at install.
  const common = [
    "--no-defaults",
    `--datadir=${datadir}`,
    `--user=${osUser}`,
    "--innodb-buffer-pool-size=32M",
    "--innodb-log-file-size=16M",
  ];
  let server: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const remove = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill("SIGKILL");
      await exited;
    }
    server = null;
    await rm(dir, { recursive: true, force: true });
  };
  // SQL goes in on stdin, never on a command line where `ps` would show the password.
  const admin = (sql: string) =>
    new Promise<string>((resolve, reject) => {
      const client = spawn(
        mariadbClient,
        ["--no-defaults", `--socket=${socket}`, `-u${osUser}`, "--batch", "--skip-column-names"],
        { timeout: 60_000 },
      );
      let stdout = "";
      let stderr = "";
      client.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      client.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      client.on("error", reject);
      client.on("close", (code) => {
        if (code === 0) resolve(stdout);
        else void tail(errorLog).then((log) => reject(new Error(`mariadb: ${stderr}\n${log}`)));
      });
      client.stdin.end(sql);
    });
  try {
    await run(
      installDb,
      [...common, ...options, "--auth-root-authentication-method=socket", "--skip-test-db"],
      { timeout: 120_000 },
    ).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`mariadb-install-db failed: ${error.message}\n${error.stderr ?? ""}`);
    });
    const port = await freePort();
    server = spawn(
      mariadbd,
      [
        ...common,
        `--socket=${socket}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        `--pid-file=${path.join(dir, "mysqld.pid")}`,
        `--log-error=${errorLog}`,
        "--skip-log-bin",
        "--performance-schema=OFF",
        "--skip-name-resolve",
        "--default-time-zone=+00:00",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_unicode_ci",
        "--innodb-flush-log-at-trx-commit=1",
        ...options,
      ],
      { stdio: "ignore" },
    );
    const child = server;
    exited = new Promise((resolve) => child.once("exit", () => resolve()));
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`mariadbd exited during start:\n${await tail(errorLog)}`);
      }
      const up = await admin("SELECT 1").then(
        () => true,
        () => false,
      );
      if (up) break;
      if (Date.now() - started > 60_000) {
        throw new Error(`mariadbd did not answer within 60 s:\n${await tail(errorLog)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const database = "og_private";
    const user = "og";
    const password = randomBytes(12).toString("hex");
    await admin(
      `CREATE DATABASE ${database};` +
        `CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}';` +
        `GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'127.0.0.1';`,
    );
    return {
      host: "127.0.0.1",
      port,
      database,
      user,
      password,
      socket,
      adminUser: osUser,
      admin,
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * Where a command of Debian's MariaDB packages is: on PATH, or in the sbin folders, which a
 * user's PATH lacks (Debian puts mariadbd in /usr/sbin).
 */
function systemCommand(name: string): string {
  const found = toolPath(name);
  if (found === name) {
    throw new Error(`${name} is not installed: run provision/install.sh (Debian's mariadb-server)`);
  }
  return found;
}

/** The end of the server's error log, for a message. */
async function tail(file: string): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "(no error log)");
  return text.split("\n").slice(-30).join("\n");
}
