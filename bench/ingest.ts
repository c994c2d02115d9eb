import { frequencyLetterStream } from "../lib/client/letter-stream.js";
import { runLoad } from "../lib/client/load-client.js";
import { seededRandom } from "../lib/model/random.js";

export interface IngestResult {
  concurrency: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  /** The first few error descriptions, when there were errors. */
  error_samples?: string[];
}

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
