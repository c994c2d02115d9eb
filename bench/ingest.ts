import { frequencyLetterStream } from "../lib/client/letter-stream.js";
import { runLoad } from "../lib/client/load-client.js";
import { seededRandom } from "../lib/model/random.js";
import type { IngestRow } from "./results.js";

/** One ingest point, as bench/results.ts records it minus the backend it was measured on. */
export type IngestResult = Omit<IngestRow, "backend">;

/**
 * The client's own mix of initials and followups at one concurrency: a warm-up run (its numbers
 * dropped: connections, JIT, caches), then a measured run of fixed duration.
 */
export async function measureIngest(
  baseUrl: string,
  concurrency: number,
  seconds: number,
  warmupSeconds: number,
  seed: number,
): Promise<IngestResult> {
  const run = (durationSeconds: number, runSeed: number) => {
    const random = seededRandom(runSeed);
    return runLoad({
      baseUrl,
      durationSeconds,
      concurrency,
      letters: frequencyLetterStream(random),
      random,
    });
  };
  if (warmupSeconds > 0) await run(warmupSeconds, seed + 1);
  const summary = await run(seconds, seed);
  return {
    concurrency,
    rps: summary.requestsPerSecond,
    p50_ms: summary.latencyMs.p50,
    p99_ms: summary.latencyMs.p99,
    requests: summary.requests,
    errors: summary.errors,
    ...(summary.errors > 0 ? { error_samples: summary.errorSamples } : {}),
  };
}
