import { randomUUID } from "node:crypto";
import http from "node:http";
import { percentile } from "../lib/client/load-client.js";
import { seededRandom, type RandomSource } from "../lib/model/random.js";
import {
  DashboardClient,
  randomSymbol,
  rangePath,
  symbolPath,
  type DataSpan,
} from "./dashboard-latency.js";
import { cpuPerRequest } from "./ingest.js";
import { startCpuMeter, type Watched } from "./proc-stat.js";
import type { UnderLoadCell, UnderLoadResult } from "./results.js";
import { TARGET_CONCURRENCY } from "./settings.js";
import { runWrk, type LoadReport } from "./wrk-load.js";

/**
 * Dashboards under write load (issue 13 point 3): while nothing else runs, then while wrk drives
 * c64 ingest, one connection reads symbol and range dashboards in turn, and a second plays
 * read-your-writes probes: POST an initial for PROBE_LETTER (which wrk leaves out of its mix, so
 * only the probe changes its count), then GET /dashboard/symbol/PROBE_LETTER until the count
 * includes it. The lag is from the POST's 200 to the first answer that includes it; an answer
 * that does not is a stale read (read-your-writes broken).
 */

export const PROBE_LETTER = "z";
/** A probe whose write is not seen within this long is lost (counted, and the next starts). */
const PROBE_GIVE_UP_MS = 30_000;

interface Window {
  symbol: number[];
  range: number[];
  lag: number[];
  stale: number;
  lost: number;
  /** Reads (and probe writes) not answered 200, and the first few answers. */
  failed: number;
  failures: string[];
}

function post(agent: http.Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", agent, headers: { "Content-Length": 0 } });
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

/** A random range with microsecond bounds inside what was written so far. */
function randomSpan(data: () => DataSpan, random: RandomSource): [number, number] {
  const { from, to } = data();
  const lower = Math.floor(from + random() * (to - from));
  const upper = Math.floor(lower + random() * (to - lower)) + 1;
  return [lower, upper];
}

/** Reads and probes until `until()` says stop. */
async function sampleWindow(
  baseUrl: string,
  data: () => DataSpan,
  random: RandomSource,
  done: (window: Window) => boolean,
): Promise<Window> {
  const window: Window = {
    symbol: [],
    range: [],
    lag: [],
    stale: 0,
    lost: 0,
    failed: 0,
    failures: [],
  };
  const failed = (error: unknown) => {
    window.failed++;
    if (window.failures.length < 3) window.failures.push(String(error).slice(0, 300));
  };
  const until = () => done(window);
  const reader = new DashboardClient(baseUrl);
  const prober = new DashboardClient(baseUrl);
  const writer = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const timed = async (into: number[], path: string) => {
    const t0 = performance.now();
    try {
      await reader.get(path);
      into.push(performance.now() - t0);
    } catch (error) {
      // A 503 under load is a result: counted, not timed (a bench must not time error answers).
      failed(error);
    }
  };
  const reads = async () => {
    while (!until()) {
      await timed(window.symbol, symbolPath(randomSymbol(random)));
      if (until()) break;
      await timed(window.range, rangePath(...randomSpan(data, random)));
    }
  };
  const count = async () => (await prober.get<{ count: number }>(symbolPath(PROBE_LETTER))).count;
  const probes = async () => {
    while (!until()) {
      const url = new URL(`/initial?uuid=${randomUUID()}&symbol=${PROBE_LETTER}`, baseUrl);
      let before: number;
      try {
        before = await count();
      } catch (error) {
        failed(error);
        continue;
      }
      const status = await post(writer, url);
      if (status !== 200) {
        failed(`read-your-writes probe: POST /initial answered ${status}`);
        continue;
      }
      const answered = performance.now();
      for (;;) {
        let seen = before;
        try {
          seen = await count();
        } catch (error) {
          failed(error); // not stale: no answer at all
        }
        const now = performance.now();
        if (seen > before) {
          window.lag.push(now - answered);
          break;
        }
        window.stale++;
        if (now - answered > PROBE_GIVE_UP_MS) {
          window.lost++;
          break;
        }
      }
    }
  };
  try {
    await Promise.all([reads(), probes()]);
  } finally {
    reader.close();
    prober.close();
    writer.destroy();
  }
  return window;
}

const cells = (window: Window, load: UnderLoadCell["load"]): UnderLoadCell[] =>
  (
    [
      ["symbol", window.symbol],
      ["range", window.range],
      ["read-your-writes", window.lag],
    ] as const
  ).map(([endpoint, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      endpoint,
      load,
      p50_ms: percentile(sorted, 50),
      p99_ms: percentile(sorted, 99),
      samples: sorted.length,
    };
  });

export interface UnderLoadOptions {
  baseUrl: string;
  watched: Watched;
  /** When this server's data begins (Micros since the epoch): range bounds go from here to now. */
  since: number;
  idleSeconds: number;
  /** The idle window lasts until each read has this many samples (at most a minute). */
  idleSamples: number;
  loadSeconds: number;
  seed: number;
  /** Resolves once the server has nothing left to do (the graph caught up with the log). */
  settle: () => Promise<void>;
}

/** Idle, then under wrk's c64 ingest: the same reads and probes; see the module comment. */
export async function measureUnderLoad(
  options: UnderLoadOptions,
): Promise<Omit<UnderLoadResult, "backend" | "workers">> {
  const random = seededRandom(options.seed);
  const data = () => ({ from: options.since, to: Date.now() * 1000 });
  // Idle means idle: the projection has caught up with what the ingest points wrote.
  await options.settle();
  const idleStarted = performance.now();
  const idle = await sampleWindow(options.baseUrl, data, random, (window) => {
    const elapsed = performance.now() - idleStarted;
    const enough = Math.min(window.symbol.length, window.range.length) >= options.idleSamples;
    return elapsed > 60_000 || (elapsed > options.idleSeconds * 1000 && enough);
  });

  // Reads start once wrk's connections are up and stop before wrk does.
  const rampMs = 1000;
  const meter = startCpuMeter(options.watched);
  const started = performance.now();
  const ingest: Promise<LoadReport> = runWrk({
    baseUrl: options.baseUrl,
    concurrency: TARGET_CONCURRENCY,
    seconds: options.loadSeconds,
    seed: options.seed,
    without: [PROBE_LETTER],
  });
  let ingestDone = false;
  void ingest.finally(() => (ingestDone = true)).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, rampMs));
  const stopAt = started + options.loadSeconds * 1000 - 500;
  const loaded = await sampleWindow(
    options.baseUrl,
    data,
    random,
    () => ingestDone || performance.now() > stopAt,
  );
  const report = await ingest;
  const usage = meter.stop();
  return {
    cells: [...cells(idle, "idle"), ...cells(loaded, "c64 ingest")],
    stale_reads: idle.stale + loaded.stale,
    failed_reads: { idle: idle.failed, loaded: loaded.failed },
    ...(idle.failures.length + loaded.failures.length > 0
      ? { failure_samples: [...idle.failures, ...loaded.failures].slice(0, 3) }
      : {}),
    lost_probes: idle.lost + loaded.lost,
    ingest_rps: report.requests / report.seconds,
    // Per ingest request; the reads' own share is in there too (a few per cent of the requests).
    cpu_ms_per_request: cpuPerRequest(usage, report.requests, usage.reapedChildrenMs),
    machine_busy_cores: usage.machineBusyCores,
    seconds: report.seconds,
  };
}
