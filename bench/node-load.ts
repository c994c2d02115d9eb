import path from "node:path";
import { fileURLToPath } from "node:url";
import { frequencyLetterStream } from "../lib/client/letter-stream.js";
import { runLoad } from "../lib/client/load-client.js";
import { seededRandom } from "../lib/model/random.js";
import { runJson } from "./run-script.js";
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
  const args = [options.baseUrl, options.concurrency, options.seconds, options.seed].map(String);
  return runJson<LoadReport>(SELF, process.env, args);
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
