import { parseArgs } from "node:util";
import { seededRandom } from "../model/random.js";
import { fileLetterStream, frequencyLetterStream } from "./letter-stream.js";
import { runLoad, type LoadSummary } from "./load-client.js";

const USAGE = `usage: npm run client -- [options]

  --url URL          base URL of the service            (default http://127.0.0.1:5000)
  --iterations N     sessions to run                    (default 1000 unless --duration)
  --duration S       run for S seconds instead
  --concurrency C    parallel sessions                  (default 1, the original client)
  --text FILE        read letters from this text, in order (default: Sherlock Holmes frequencies)
  --seed N           seed for letters and followup decisions (default: random)
  --json             print the summary as JSON`;

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

function line(s: LoadSummary) {
  return (
    `${s.requests} requests (${s.initials} initials, ${s.followups} followups), ` +
    `${s.errors} errors, ${s.requestsPerSecond.toFixed(0)} req/s, ` +
    `p50 ${s.latencyMs.p50.toFixed(2)} ms, p99 ${s.latencyMs.p99.toFixed(2)} ms`
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "http://127.0.0.1:5000" },
      iterations: { type: "string" },
      duration: { type: "string" },
      concurrency: { type: "string", default: "1" },
      text: { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const durationSeconds = positive("duration", values.duration);
  const iterations =
    positive("iterations", values.iterations) ?? (durationSeconds ? undefined : 1000);
  const concurrency = positive("concurrency", values.concurrency)!;
  const seed = values.seed === undefined ? Date.now() : Number(values.seed);
  const random = seededRandom(seed);
  const letters = values.text ? fileLetterStream(values.text) : frequencyLetterStream(random);
  const live = process.stderr.isTTY && !values.json;

  const summary = await runLoad({
    baseUrl: values.url,
    iterations,
    durationSeconds,
    concurrency: Math.floor(concurrency),
    letters,
    random,
    onProgress: live ? (s) => process.stderr.write(`\r${line(s)}   `) : undefined,
  });
  if (live) process.stderr.write("\n");
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(line(summary));
    for (const sample of summary.errorSamples) console.log(`  error: ${sample}`);
  }
  if (summary.errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(2);
});
