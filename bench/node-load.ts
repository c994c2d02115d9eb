import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { frequencyLetterStream } from "../lib/client/letter-stream.js";
import { runLoad } from "../lib/client/load-client.js";
import { seededRandom } from "../lib/model/random.js";
import type { LoadReport } from "./wrk-load.js";

/**
 * The project's own client (lib/client/load-client.ts) as a load generator in a process of its
 * own, so that its CPU is counted apart from the bench's: `node node-load.js URL C SECONDS SEED`
 * prints one JSON line (a LoadReport). Its uuids are crypto.randomUUID(), new every run.
 */

interface NodeLoadOptions {
  baseUrl: string;
  concurrency: number;
  seconds: number;
  seed: number;
}

const SELF = fileURLToPath(import.meta.url);

/** Runs the Node client in a child process; resolves with its report. */
export function runNodeClient(options: NodeLoadOptions): Promise<LoadReport> {
  const args = [
    SELF,
    options.baseUrl,
    String(options.concurrency),
    String(options.seconds),
    String(options.seed),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) {
        reject(new Error(`${path.basename(SELF)} exited with ${code}:\n${stdout}\n${stderr}`));
      } else {
        resolve(JSON.parse(line) as LoadReport);
      }
    });
  });
}

async function main(argv: string[]) {
  const [baseUrl, concurrency, seconds, seed] = argv;
  const random = seededRandom(Number(seed));
  const summary = await runLoad({
    baseUrl: baseUrl!,
    durationSeconds: Number(seconds),
    concurrency: Number(concurrency),
    letters: frequencyLetterStream(random),
    random,
  });
  const report: LoadReport = {
    requests: summary.requests,
    seconds: summary.seconds,
    initials: summary.initials,
    followups: summary.followups,
    errors: summary.errors,
    p50_ms: summary.latencyMs.p50,
    p99_ms: summary.latencyMs.p99,
    ...(summary.errors > 0 ? { error_samples: summary.errorSamples } : {}),
  };
  console.log(JSON.stringify(report));
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) await main(process.argv.slice(2));
