import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../../lib/config.js";

/** `npm run soak`'s flags, and the rate it runs at: half the capacity the bench measured. */

export const SOAK_USAGE = `usage: npm run soak -- --minutes N [--rate R] [--warmup M] [--out FILE]

Runs the service (node dist/lib/main.js, WORKERS one per core) on the tests' stores (emptied
first; the scratch lock, like the bench) under the client's mix at a steady rate, with a
dashboard reader and /readyz polled alongside, for N minutes; then verifies the graph against
the log. Per minute: RSS of each process, ingest and read p50/p99, errors, projection lag,
MariaDB and Neo4j disk use. Writes FILE (default bench/results/soak.json) and its .md and .svg.
  --rate R      requests per second of the client's mix (default: half the graph backend's
                c64 rate in bench/results/latest.json)
  --warmup M    minutes not held to the RSS check (default 10, at most half the run)
  --smoke       a run of minutes (CI): RSS and p99 trends and dropped sessions are reported, and
                only a failed request or a graph that differs from the log fails it
Checks (exit 1 when one fails): RSS after the warm-up grows by at most 10 % per process, each
minute's p99 stays within 2x the p99 of the first ten minutes, no error, the graph equals the log.`;

export interface SoakSettings {
  minutes: number;
  rate: number;
  /** Where the rate came from, for the report. */
  rateSource: string;
  warmupMinutes: number;
  /** A smoke run: trends and dropped sessions reported, not judged (soakChecks). */
  smoke: boolean;
  out: string;
}

export class SoakUsageError extends Error {}

/** The bench row the soak takes half of: the graph backend, default WORKERS, wrk at c64. */
export function capacityFrom(results: unknown): number | null {
  const rows = (results as { ingest?: Record<string, unknown>[] }).ingest ?? [];
  const row = rows.find(
    (r) =>
      r.backend === "graph" && r.workers === null && r.generator === "wrk" && r.concurrency === 64,
  );
  return typeof row?.rps === "number" && row.rps > 0 ? row.rps : null;
}

export const LATEST_BENCH = path.join(PROJECT_ROOT, "bench", "results", "latest.json");

export function parseSoakArgs(
  argv: string[],
  readLatest: () => unknown = () => JSON.parse(fs.readFileSync(LATEST_BENCH, "utf8")),
): SoakSettings | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        minutes: { type: "string" },
        rate: { type: "string" },
        warmup: { type: "string" },
        out: { type: "string" },
        smoke: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new SoakUsageError((error as Error).message);
  }
  if (values.help) return "help";
  const minutes = Number(values.minutes);
  if (!Number.isInteger(minutes) || minutes < 2) {
    throw new SoakUsageError(
      `--minutes wants a whole number of minutes, 2 or more; got "${values.minutes ?? ""}"`,
    );
  }
  let rate: number;
  let rateSource: string;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!(rate > 0))
      throw new SoakUsageError(`--rate wants requests per second; got "${values.rate}"`);
    rateSource = "--rate";
  } else {
    let capacity: number | null = null;
    try {
      capacity = capacityFrom(readLatest());
    } catch {
      // no bench result: said below
    }
    if (capacity === null) {
      throw new SoakUsageError(
        `no graph c64 ingest rate in ${LATEST_BENCH} (run npm run bench first), or give --rate`,
      );
    }
    rate = Math.round(capacity / 2);
    rateSource = `half of ${Math.round(capacity)} req/s (graph, c64, ${path.relative(PROJECT_ROOT, LATEST_BENCH)})`;
  }
  const warmup = values.warmup === undefined ? 10 : Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 1) {
    throw new SoakUsageError(`--warmup wants whole minutes, 1 or more; got "${values.warmup}"`);
  }
  return {
    minutes,
    rate,
    rateSource,
    warmupMinutes: Math.min(warmup, Math.floor(minutes / 2)),
    smoke: values.smoke ?? false,
    out: path.resolve(values.out ?? path.join(PROJECT_ROOT, "bench", "results", "soak.json")),
  };
}
