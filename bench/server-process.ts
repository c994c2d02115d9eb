import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { once } from "node:events";
import readline from "node:readline";

/** A server running in its own process, so that its memory and CPU are its own. */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Milliseconds from spawn until it printed that it listens (the graph catches up first). */
  startMs: number;
  /** Peak resident set size of the process so far (VmHWM), in MiB. */
  peakRssMb(): number;
  /** SIGTERM, then waits for exit (SIGKILL after the grace period). */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Display name for progress lines and errors. */
  name: string;
  /** The server's entry point, run with this Node binary. */
  script: string;
  env: NodeJS.ProcessEnv;
  startTimeoutMs: number;
  /** Where the child's stderr lines go (prefixed with the name); default: the bench's stderr. */
  log?: (line: string) => void;
}

// Both lib/main.ts and bench/bare-express.ts print "... listening on http://host:port ...".
const LISTENING = /listening on (http:\/\/[^\s)]+)/;

/** Peak RSS of a live process from /proc (Linux); NaN where that cannot be read. */
function peakRssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Spawns `node script` with PORT=0 and HOST=127.0.0.1 and resolves once it says where it
 * listens: PORT=0 lets the server take a free port itself, so there is no race for one.
 */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = performance.now();
  const child = spawn(process.execPath, [options.script], {
    env: { ...options.env, PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderrTail: string[] = [];
  readline.createInterface({ input: child.stderr! }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    log(`  [${options.name}] ${line}`);
  });
  const exited = once(child, "exit");

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${options.name} did not listen within ${options.startTimeoutMs} ms`));
    }, options.startTimeoutMs);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const match = LISTENING.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${options.name} exited (${signal ?? code}) before listening:\n${stderrTail.join("\n")}`,
        ),
      );
    });
    child.once("error", reject);
  });
  const startMs = performance.now() - started;
  const pid = child.pid!;

  return {
    name: options.name,
    url,
    pid,
    startMs,
    peakRssMb: () => peakRssMb(pid),
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs = 60_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
