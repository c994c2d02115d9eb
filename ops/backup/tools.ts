import { spawn, type SpawnOptions } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

/** The MariaDB command-line tools the backup and restore run (Debian's packages). */

export class ToolError extends Error {}

/**
 * A system tool's path: in PATH, or in the sbin folders a non-root user's PATH lacks (Debian puts
 * mariadbd in /usr/sbin); the bare name when it is nowhere (spawning it then says so).
 */
export function systemCommand(name: string): string {
  const folders = [...(process.env.PATH ?? "").split(":"), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const folder of folders.filter(Boolean)) {
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return name;
}

export interface RunOptions {
  /** Written to the tool's stdin (SQL, never on its command line). */
  input?: string;
  /** Every tool run is bounded: killed (SIGKILL) after this long. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Each line of stderr as it comes (mariadb-backup reports its progress there). */
  onStderrLine?: (line: string) => void;
}

/** Runs a tool to its end; resolves with its stdout, rejects naming it and its last stderr. */
export function runTool(command: string, args: string[], options: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { stdio: ["pipe", "pipe", "pipe"], env: options.env };
    const child = spawn(systemCommand(command), args, spawnOptions);
    let stdout = "";
    let tail: string[] = [];
    let partial = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        options.onStderrLine?.(line);
        tail.push(line);
      }
      tail = tail.slice(-20);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new ToolError(`${command}: ${error.message} (is it installed? provision/install.sh)`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (partial) tail.push(partial);
      if (code === 0) resolve(stdout);
      else {
        const why = signal === "SIGKILL" ? `killed after ${options.timeoutMs} ms` : `exit ${code}`;
        reject(new ToolError(`${command} ${args[0] ?? ""} failed (${why}):\n${tail.join("\n")}`));
      }
    });
    child.stdin!.end(options.input ?? "");
  });
}

/** An administrator's session over a server's socket (unix_socket authentication). */
export interface AdminLogin {
  socket: string;
  /** The OS account's MariaDB user: root for Debian's server. */
  user: string;
}

/** Runs SQL as the administrator; returns the rows, tab-separated, without column names. */
export async function adminQuery(login: AdminLogin, sql: string, timeoutMs = 60_000) {
  const out = await runTool(
    "mariadb",
    ["--no-defaults", `--socket=${login.socket}`, `--user=${login.user}`, "--batch", "-N"],
    { input: sql, timeoutMs },
  );
  return out
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\t"));
}

/** "10.11.19-MariaDB-0+deb12u1-log" → "10.11": what a physical backup must match. */
export function majorVersion(version: string): string | null {
  return /^(\d+\.\d+)\./.exec(version.trim())?.[1] ?? null;
}

/** The version of the mariadbd on this machine, e.g. "10.11.19-MariaDB-0+deb12u1". */
export async function localServerVersion(): Promise<string> {
  const out = await runTool("mariadbd", ["--version"], { timeoutMs: 30_000 });
  const match = /Ver\s+(\S+)/.exec(out);
  if (!match) throw new ToolError(`mariadbd --version said "${out.trim()}"`);
  return match[1]!;
}
