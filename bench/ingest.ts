import { runNodeClient } from "./node-load.js";
import { startCpuMeter, type Watched } from "./proc-stat.js";
import type { CpuPerRequest, Generator, IngestRow, IngestRun } from "./results.js";
import { runWrk, type LoadReport } from "./wrk-load.js";

/** One ingest point, as bench/results.ts records it minus what it was measured on. */
export type IngestResult = Omit<IngestRow, "backend" | "workers">;

/** How one point is run. */
export interface PointPlan {
  generator: Generator;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  repeats: number;
  seed: number;
}

/** Where the load goes and whose CPU counts: `api`, and `mariadb` / `neo4j` when known. */
export interface Target {
  url: string;
  watched: Watched;
}

export function generate(
  generator: Generator,
  url: string,
  concurrency: number,
  seconds: number,
  seed: number,
  without?: readonly string[],
): Promise<LoadReport> {
  return generator === "wrk"
    ? runWrk({ baseUrl: url, concurrency, seconds, seed, ...(without ? { without } : {}) })
    : runNodeClient({ baseUrl: url, concurrency, seconds, seed });
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const perRequest = (ms: number | undefined, requests: number) =>
  ms === undefined ? null : requests > 0 ? ms / requests : NaN;

/** CPU per request of each watched group from one meter reading. */
export function cpuPerRequest(
  usage: ReturnType<ReturnType<typeof startCpuMeter>["stop"]>,
  requests: number,
  generatorMs: number,
): CpuPerRequest {
  return {
    api: perRequest(usage.cpuMs.api, requests) ?? NaN,
    mariadb: perRequest(usage.cpuMs.mariadb, requests),
    neo4j: perRequest(usage.cpuMs.neo4j, requests),
    generator: perRequest(generatorMs, requests) ?? NaN,
  };
}

/** One measured run: the generator from spawn to exit, every watched process's CPU meanwhile. */
async function measuredRun(target: Target, plan: PointPlan, seed: number): Promise<IngestRun> {
  const meter = startCpuMeter(target.watched);
  const apiProcesses = target.watched.api?.().length ?? 0;
  const report = await generate(plan.generator, target.url, plan.concurrency, plan.seconds, seed);
  const usage = meter.stop();
  return {
    rps: report.requests / report.seconds,
    p50_ms: report.p50_ms,
    p99_ms: report.p99_ms,
    requests: report.requests,
    initials: report.initials,
    followups: report.followups,
    errors: report.errors,
    seconds: report.seconds,
    // The generator is a child that exited within the meter's window: its CPU is reaped.
    cpu_ms_per_request: cpuPerRequest(usage, report.requests, usage.reapedChildrenMs),
    api_processes: apiProcesses,
    machine_busy_cores: usage.machineBusyCores,
    other_cores: usage.otherCores,
    ...(report.error_samples ? { error_samples: report.error_samples } : {}),
  };
}

/**
 * One ingest point: a warm-up run (numbers dropped: connections, JIT, caches), then `repeats`
 * measured runs of `seconds` each; the row holds their medians and every run.
 */
export async function measureIngest(target: Target, plan: PointPlan): Promise<IngestResult> {
  if (plan.warmupSeconds > 0) {
    await generate(plan.generator, target.url, plan.concurrency, plan.warmupSeconds, plan.seed);
  }
  const runs: IngestRun[] = [];
  for (let i = 0; i < plan.repeats; i++) {
    runs.push(await measuredRun(target, plan, plan.seed + 1 + i));
  }
  const of = (pick: (run: IngestRun) => number | null) => {
    const values = runs.map(pick).filter((v): v is number => v !== null);
    return values.length ? median(values) : null;
  };
  const samples = runs.flatMap((run) => run.error_samples ?? []).slice(0, 5);
  return {
    generator: plan.generator,
    concurrency: plan.concurrency,
    rps: of((r) => r.rps)!,
    rps_min: Math.min(...runs.map((r) => r.rps)),
    rps_max: Math.max(...runs.map((r) => r.rps)),
    p50_ms: of((r) => r.p50_ms)!,
    p99_ms: of((r) => r.p99_ms)!,
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    cpu_ms_per_request: {
      api: of((r) => r.cpu_ms_per_request.api)!,
      mariadb: of((r) => r.cpu_ms_per_request.mariadb),
      neo4j: of((r) => r.cpu_ms_per_request.neo4j),
      generator: of((r) => r.cpu_ms_per_request.generator)!,
    },
    machine_busy_cores: of((r) => r.machine_busy_cores)!,
    other_cores: of((r) => r.other_cores)!,
    runs,
    ...(samples.length ? { error_samples: samples } : {}),
  };
}
