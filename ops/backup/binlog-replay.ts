import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { formatMicros, type Micros } from "../../lib/model/timestamp.js";
import { BackupError, type BinlogPosition } from "./backup-set.js";
import type { AdminLogin } from "./tools.js";

/** Bringing a restored backup forward with the binary log: point-in-time recovery. */

/**
 * The binary-log files a replay from `start` reads, in order: `start`'s file and every later
 * one of the same base name (mariadb-bin.000007, .000008, …) among `names`.
 */
export function binlogsToReplay(names: readonly string[], start: BinlogPosition): string[] {
  const base = start.file.replace(/\.\d+$/, "");
  const files = names
    .filter((name) => name.startsWith(`${base}.`) && /^\d+$/.test(name.slice(base.length + 1)))
    .sort();
  if (!files.includes(start.file)) {
    throw new BackupError(
      `the binary log ${start.file}, where this backup's replay starts, is not in the binary-log ` +
        "directory (purged, or lost with its disk): restore without --until to stop at the " +
        "backup's own moment, or name the directory that holds it with --binlog-dir",
    );
  }
  return files.slice(files.indexOf(start.file));
}

/**
 * --stop-datetime for `until`: the binary log stamps each event with a whole second, so a
 * replay stops at the first event of the second that holds `until` (or at `until` itself, when
 * it is a whole second): what was logged before that second is applied, nothing after.
 */
export function stopDatetime(until: Micros): string {
  return formatMicros(until).slice(0, 19);
}

const REPLAY_TIMEOUT_MS = 6 * 3600_000;

/**
 * Copies the binary-log files a replay from `start` needs out of `binlogDir` into `workDir`
 * (the live directory is only read, and a server restarted meanwhile adds nothing to the copy).
 */
export function collectBinlogs(
  start: BinlogPosition,
  binlogDir: string,
  workDir: string,
): string[] {
  if (!fs.existsSync(binlogDir)) {
    throw new BackupError(`no binary-log directory at ${binlogDir} (set --binlog-dir)`);
  }
  const files = binlogsToReplay(fs.readdirSync(binlogDir), start);
  fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
  return files.map((file) => {
    const copy = path.join(workDir, file);
    fs.copyFileSync(path.join(binlogDir, file), copy);
    return copy;
  });
}

/**
 * Pipes mariadb-binlog over `files` into the restored server as its administrator: every
 * transaction logged after the backup's position, up to `until` when given. A transaction cut
 * by the stop is not committed (the session ends inside it). Returns the seconds it took.
 */
export async function replayBinlog(
  files: readonly string[],
  start: BinlogPosition,
  target: AdminLogin,
  until: Micros | null,
): Promise<number> {
  const started = performance.now();
  const reader = spawn(
    "mariadb-binlog",
    [
      "--no-defaults",
      `--start-position=${start.position}`,
      ...(until === null ? [] : [`--stop-datetime=${stopDatetime(until)}`]),
      ...files,
    ],
    // mariadb-binlog reads --stop-datetime in its own time zone: the log's times are UTC.
    { env: { ...process.env, TZ: "UTC" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const writer = spawn(
    "mariadb",
    ["--no-defaults", `--socket=${target.socket}`, `--user=${target.user}`, "--batch"],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  reader.stdout.pipe(writer.stdin);
  const errors = { reader: "", writer: "" };
  reader.stderr.setEncoding("utf8").on("data", (c: string) => (errors.reader += c));
  writer.stderr.setEncoding("utf8").on("data", (c: string) => (errors.writer += c));
  const timer = setTimeout(() => {
    reader.kill("SIGKILL");
    writer.kill("SIGKILL");
  }, REPLAY_TIMEOUT_MS);
  const exit = (child: typeof reader | typeof writer) =>
    new Promise<number | null>((resolve) => {
      child.once("error", () => resolve(-1));
      child.once("close", (code) => resolve(code));
    });
  const [readCode, writeCode] = await Promise.all([exit(reader), exit(writer)]);
  clearTimeout(timer);
  if (readCode !== 0 || writeCode !== 0) {
    throw new BackupError(
      `the binary-log replay failed (mariadb-binlog exit ${readCode}, mariadb exit ${writeCode}):\n` +
        `${errors.reader.slice(-2000)}${errors.writer.slice(-2000)}`,
    );
  }
  return (performance.now() - started) / 1000;
}
