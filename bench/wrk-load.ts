import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { PROJECT_ROOT } from "../lib/config.js";
import { SHERLOCK_LETTER_COUNTS } from "../lib/client/letter-stream.js";

/**
 * wrk (C, the Debian package) playing the client's mix through bench/wrk/client-mix.lua: the
 * load generator that costs the server little. Each run draws a fresh uuid prefix, so no uuid
 * is ever sent twice (a replayed uuid is a retry, far cheaper for the graph backend).
 */

export const WRK = process.env.WRK ?? "wrk";
const SCRIPT = path.join(PROJECT_ROOT, "bench", "wrk", "client-mix.lua");

/** What one run of a load generator reports (wrk's or the Node client's), as JSON. */
export interface LoadReport {
  requests: number;
  seconds: number;
  initials: number;
  followups: number;
  /** Non-2xx answers, bad bodies, socket errors and timeouts. */
  errors: number;
  p50_ms: number;
  p99_ms: number;
  error_samples?: string[];
}

export function wrkVersion(): string | null {
  const answer = spawnSync(WRK, ["--version"], { encoding: "utf8" });
  if (answer.error) return null;
  return `${answer.stdout}${answer.stderr}`
    .split("\n")[0]!
    .replace(/ Copyright.*/, "")
    .trim();
}

/**
 * wrk on PATH, installed from Debian (`apt-get install wrk`) when missing and this process may
 * (root, or sudo without a password); its version, or null with the reason.
 */
export function ensureWrk(log: (line: string) => void): { version: string } | { missing: string } {
  const found = wrkVersion();
  if (found) return { version: found };
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync("sudo", ["-n", "true"]).status === 0;
  if (!root && !sudo) {
    return { missing: `${WRK} is not installed (apt-get install wrk, as root)` };
  }
  log("wrk is missing: apt-get install -y wrk");
  const run = (...args: string[]) => {
    const [command, ...rest] = root ? args : ["sudo", "-n", ...args];
    return spawnSync(command!, rest, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  };
  let install = run("apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk");
  if (install.status !== 0) {
    run("apt-get", "update", "-q");
    install = run("apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk");
  }
  const version = wrkVersion();
  return version ? { version } : { missing: `apt-get install wrk failed (${install.status})` };
}

/** The letters' weights as the script takes them, without `without` (never sent then). */
function letterCounts(without: readonly string[]): string {
  return Object.entries(SHERLOCK_LETTER_COUNTS)
    .filter(([letter]) => !without.includes(letter))
    .map(([letter, count]) => `${letter}:${count}`)
    .join(",");
}

export interface WrkOptions {
  baseUrl: string;
  concurrency: number;
  seconds: number;
  seed: number;
  /** Letters left out of the mix (a read-your-writes probe owns one). */
  without?: readonly string[];
}

/** One wrk run; resolves with its JSON report once wrk exits. */
export function runWrk(options: WrkOptions): Promise<LoadReport> {
  const prefix = randomBytes(6).toString("hex");
  const args = [
    // One connection per thread: see the script's header.
    `-t${options.concurrency}`,
    `-c${options.concurrency}`,
    `-d${options.seconds}s`,
    "--timeout",
    "30s",
    "-s",
    SCRIPT,
    options.baseUrl,
    "--",
    prefix,
    String(options.seed),
    letterCounts(options.without ?? []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = stdout
        .trim()
        .split("\n")
        .findLast((l) => l.startsWith("{"));
      if (code !== 0 || !line) {
        reject(new Error(`wrk exited with ${code}:\n${stdout}\n${stderr}`));
        return;
      }
      const raw = JSON.parse(line) as {
        requests: number;
        duration_us: number;
        initials: number;
        followups: number;
        bad_replies: number;
        errors: Record<"connect" | "read" | "write" | "status" | "timeout", number>;
        latency_us: { p50: number; p99: number };
      };
      const e = raw.errors;
      // A non-2xx answer counts both as `status` and as a bad reply: count it once.
      const socketErrors = e.connect + e.read + e.write + e.timeout;
      const errors = raw.bad_replies + socketErrors;
      const samples = Object.entries(e)
        .filter(([, n]) => n > 0)
        .map(([kind, n]) => `${n} ${kind} errors`);
      if (raw.bad_replies > 0)
        samples.push(`${raw.bad_replies} answers not 200 with the expected body`);
      resolve({
        requests: raw.requests,
        seconds: raw.duration_us / 1e6,
        initials: raw.initials,
        followups: raw.followups,
        errors,
        p50_ms: raw.latency_us.p50 / 1000,
        p99_ms: raw.latency_us.p99 / 1000,
        ...(errors > 0 ? { error_samples: samples } : {}),
      });
    });
  });
}
