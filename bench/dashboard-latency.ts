import http from "node:http";
import { percentile } from "../lib/client/load-client.js";
import type { SymbolAggregate } from "../lib/model/aggregates.js";
import type { RandomSource } from "../lib/model/random.js";
import { SYMBOLS } from "../lib/model/symbols.js";
import {
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  type Micros,
} from "../lib/model/timestamp.js";

export type RangeSpan = "day" | "week" | "all";
export const RANGE_SPANS: readonly RangeSpan[] = ["day", "week", "all"];
/**
 * Ranges with microsecond bounds that begin or end inside a minute of dense traffic: both
 * bounds inside it, from inside it to 1–20 h later, from 1–10 days before to inside it.
 */
export type DenseSpan = "dense minute" | "dense to hours" | "days to dense";
export const DENSE_SPANS: readonly DenseSpan[] = [
  "dense minute",
  "dense to hours",
  "days to dense",
];

/** The initial events' time span of the stored data: where range bounds are placed. */
export interface DataSpan {
  from: Micros;
  to: Micros;
  /** The start of a minute of dense traffic inside it, when there is one. */
  denseMinute?: Micros;
}

/** How many samples a cell takes: `samples`, unless `budgetMs` runs out after `minSamples`. */
export interface SamplePlan {
  samples: number;
  minSamples: number;
  budgetMs: number;
  /** Unmeasured requests first (page caches, JIT, connections), for at most 10 s. */
  warmup: number;
  /** …and keep warming up until this much time has passed (a JVM just restarted needs it). */
  warmupMs: number;
}

export interface CellResult {
  p50_ms: number;
  p99_ms: number;
  samples: number;
}

/** Sequential GETs over one keep-alive connection: latency, not throughput. */
export class DashboardClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly baseUrl: string) {}

  /** GETs `path` and parses the JSON; anything but a 200 is an error (a bench must not time 503s). */
  get<T>(path: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const request = http.get(new URL(path, this.baseUrl), { agent: this.agent }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => {
          if (response.statusCode === 200) resolve(JSON.parse(body) as T);
          else reject(new Error(`GET ${path}: ${response.statusCode} ${body.slice(0, 300)}`));
        });
        response.on("error", reject);
      });
      request.on("error", reject);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/** ISO 8601 with microseconds and Z, e.g. 2017-06-03T04:05:06.123456Z, URL-encoded. */
function isoBound(micros: Micros): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000).padStart(6, "0");
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return encodeURIComponent(`${iso}.${fraction}Z`);
}

const uniform = (random: RandomSource, from: number, to: number) =>
  Math.floor(from + random() * (to - from));

/**
 * A range of the given span with random microsecond bounds inside the data: a day or a week
 * placed anywhere in it, or "all", from within its first minute to within its last.
 */
export function randomRange(
  span: RangeSpan,
  data: DataSpan,
  random: RandomSource,
): [Micros, Micros] {
  if (span === "all") {
    return [
      uniform(random, data.from, data.from + MICROS_PER_MINUTE),
      uniform(random, data.to - MICROS_PER_MINUTE, data.to) + 1,
    ];
  }
  const width = span === "day" ? MICROS_PER_DAY : 7 * MICROS_PER_DAY;
  const lower = uniform(random, data.from, Math.max(data.from + 1, data.to - width));
  return [lower, lower + width];
}

/** A range of a dense span around the dense minute starting at `minute`. */
export function randomDenseRange(
  span: DenseSpan,
  minute: Micros,
  random: RandomSource,
): [Micros, Micros] {
  const inside = () => uniform(random, minute, minute + MICROS_PER_MINUTE);
  switch (span) {
    case "dense minute": {
      const [a, b] = [inside(), inside()];
      return a < b ? [a, b] : [b, a + 1];
    }
    case "dense to hours": {
      const lower = inside();
      return [lower, lower + uniform(random, MICROS_PER_HOUR, 20 * MICROS_PER_HOUR)];
    }
    case "days to dense": {
      const upper = inside();
      return [upper - uniform(random, MICROS_PER_DAY, 10 * MICROS_PER_DAY), upper];
    }
  }
}

export function rangePath(lower: Micros, upper: Micros) {
  return `/dashboard/range/${isoBound(lower)}/${isoBound(upper)}`;
}

export function symbolPath(symbol: string) {
  return `/dashboard/symbol/${symbol}`;
}

/** Warm-up stops early when requests are slow: it is there for caches, not for statistics. */
const WARMUP_MAX_MS = 10_000;

/** Times `nextPath()` requests one after another according to `plan`. */
export async function measureCell(
  client: DashboardClient,
  nextPath: () => string,
  plan: SamplePlan,
): Promise<CellResult> {
  const warming = performance.now();
  for (
    let i = 0;
    (i < plan.warmup || performance.now() - warming < plan.warmupMs) &&
    (i === 0 || performance.now() - warming < WARMUP_MAX_MS);
    i++
  ) {
    await client.get(nextPath());
  }
  const latencies: number[] = [];
  const started = performance.now();
  while (
    latencies.length < plan.samples &&
    (latencies.length < plan.minSamples || performance.now() - started < plan.budgetMs)
  ) {
    const path = nextPath();
    const t0 = performance.now();
    await client.get(path);
    latencies.push(performance.now() - t0);
  }
  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50_ms: percentile(sorted, 50),
    p99_ms: percentile(sorted, 99),
    samples: sorted.length,
  };
}

export const randomSymbol = (random: RandomSource) => SYMBOLS[Math.floor(random() * 26)]!;

/** The totals over all symbols of one range answer: for checking that a load arrived whole. */
export function totalsOf(entries: readonly SymbolAggregate[]) {
  return entries.reduce(
    (sum, entry) => ({
      initials: sum.initials + entry.count,
      followups: sum.followups + entry.followups,
    }),
    { initials: 0, followups: 0 },
  );
}
