import {
  ingestLabel,
  type BenchResults,
  type CpuPerRequest,
  type Endpoint,
  type IngestBackend,
  type IngestRow,
  type Span,
  type UnderLoadResult,
} from "./results.js";

import { DENSE_SPANS } from "./dashboard-latency.js";

/** Issue 13's targets, each a ratio of two numbers of one run, with what a miss is made of. */

export interface Target {
  name: string;
  goal: string;
  /** What was compared, with the numbers. */
  measured: string;
  ratio: number | null;
  /** null when this run did not measure what the target needs. */
  met: boolean | null;
  /** When missed: by how much, in the target's own terms. */
  shortfall?: string;
  /** Measured facts that explain the numbers (CPU per request, machine load, phases). */
  evidence?: string;
}

export const ms = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
export const num = (value: number) => Math.round(value).toLocaleString("en-US");
export const ratioText = (ratio: number) =>
  ratio >= 100 ? `${num(ratio)}×` : `${ratio.toFixed(2)}×`;
export const sizeLabel = (events: number) => {
  const exponent = Math.log10(events);
  return Number.isInteger(exponent) ? `10^${exponent}` : num(events);
};
/** CPU ms per request as whole microseconds. */
export const micros = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? "–"
    : (value * 1000).toFixed(0);

/**
 * The row of a server at a concurrency driven by wrk (the measurement), or by the Node client
 * when wrk was not used (and in results from before wrk).
 */
export function ingestRow(
  results: BenchResults,
  backend: IngestBackend,
  concurrency: number,
  workers: number | null = null,
): IngestRow | undefined {
  const rows = results.ingest.filter(
    (r) =>
      r.backend === backend && r.concurrency === concurrency && (r.workers ?? null) === workers,
  );
  return rows.find((r) => r.generator === "wrk") ?? rows.find((r) => r.generator !== "wrk");
}

function dashboardP50(
  results: BenchResults,
  backend: string,
  events: number,
  endpoint: Endpoint,
  span: Span,
) {
  return results.dashboard.find(
    (r) =>
      r.backend === backend && r.events === events && r.endpoint === endpoint && r.span === span,
  )?.p50_ms;
}

type Side = { label: string; value: number | undefined; unit: string };
type Bound = { atLeast: number } | { atMost: number };

/**
 * A ratio target: `numerator / denominator` must be at least (or at most) the bound; the goal
 * reads "≥ n×" or "≤ n×" unless given.
 */
function ratioTarget(
  name: string,
  numerator: Side,
  denominator: Side,
  bound: Bound,
  evidence?: string,
  goal = "atLeast" in bound ? `≥ ${bound.atLeast}×` : `≤ ${bound.atMost}×`,
): Target {
  if (numerator.value === undefined || denominator.value === undefined || denominator.value <= 0) {
    return { name, goal, measured: "not measured in this run", ratio: null, met: null };
  }
  const ratio = numerator.value / denominator.value;
  const show = (side: Side) =>
    `${side.label} ${side.unit === "ms" ? ms(side.value!) : num(side.value!)} ${side.unit}`;
  const met = "atLeast" in bound ? ratio >= bound.atLeast : ratio <= bound.atMost;
  const target: Target = {
    name,
    goal,
    measured: `${show(numerator)} / ${show(denominator)}`,
    ratio,
    met,
  };
  if (!met) {
    target.shortfall =
      "atLeast" in bound
        ? `${numerator.label} needs ${(bound.atLeast / ratio).toFixed(2)}× its ${side(numerator)} ` +
          `(${ratio.toFixed(2)}× of ≥ ${bound.atLeast}×)`
        : `${numerator.label} is ${(ratio / bound.atMost).toFixed(2)}× over the bound ` +
          `(${ratio.toFixed(2)}× of ≤ ${bound.atMost}×)`;
  }
  if (evidence) target.evidence = evidence;
  return target;
}

const side = (s: Side) => (s.unit === "ms" ? "latency" : s.unit);

const cpuTotal = (cpu: CpuPerRequest) => cpu.api + (cpu.mariadb ?? 0) + (cpu.neo4j ?? 0);

/** "graph: API 210 + mariadbd 95 + Neo4j 80 = 385 µs/req (wrk 20); 1.97 of 2 cores busy (others 0.31)" */
function cpuEvidence(row: IngestRow | undefined, cores: number): string | null {
  if (!row?.cpu_ms_per_request) return null;
  const cpu = row.cpu_ms_per_request;
  const parts = [`API ${micros(cpu.api)}`];
  if (cpu.mariadb !== null) parts.push(`mariadbd ${micros(cpu.mariadb)}`);
  if (cpu.neo4j !== null) parts.push(`Neo4j ${micros(cpu.neo4j)}`);
  return (
    `${ingestLabel(row)}: ${parts.join(" + ")} = ${micros(cpuTotal(cpu))} µs CPU/req ` +
    `(${row.generator ?? "load"} ${micros(cpu.generator)}); ` +
    `${row.machine_busy_cores!.toFixed(2)} of ${cores} cores busy (others ${row.other_cores!.toFixed(2)})`
  );
}

function underLoadEvidence(result: UnderLoadResult | undefined): string | undefined {
  if (!result) return undefined;
  const lag = result.cells.find(
    (c) => c.endpoint === "read-your-writes" && c.load === "c64 ingest",
  );
  const cpu = result.cpu_ms_per_request;
  return (
    `under load: wrk ${num(result.ingest_rps)} req/s, ${result.machine_busy_cores?.toFixed(2) ?? "?"} cores busy` +
    (cpu
      ? `, Neo4j ${micros(cpu.neo4j)} µs and API ${micros(cpu.api)} µs CPU per ingest request`
      : "") +
    (lag ? `; read-your-writes lag p50 ${ms(lag.p50_ms)} ms, p99 ${ms(lag.p99_ms)} ms` : "") +
    `; ${result.stale_reads} stale reads` +
    (result.failed_reads?.loaded
      ? `, ${result.failed_reads.loaded} reads not answered 200 under load`
      : "")
  );
}

/** A cell's p99, or undefined when it has no samples. */
const p99Of = (cell: { p99_ms: number; samples: number } | undefined) =>
  cell && cell.samples > 0 ? cell.p99_ms : undefined;

/** The issue's targets, each computed from this run's numbers only. */
export function computeTargets(results: BenchResults): Target[] {
  const targets: Target[] = [];
  const cores = results.machine.cores;
  const rps = (backend: IngestBackend, workers: number | null = null) => ({
    label: ingestLabel({ backend, workers }),
    value: ingestRow(results, backend, 64, workers)?.rps,
    unit: "req/s",
  });
  const evidence = (...rows: (IngestRow | undefined)[]) =>
    rows
      .map((row) => cpuEvidence(row, cores))
      .filter((text) => text !== null)
      .join("; ") || undefined;
  const row = (backend: IngestBackend, workers: number | null = null) =>
    ingestRow(results, backend, 64, workers);
  const p50 = (backend: string, events: number, endpoint: Endpoint, span: Span) => ({
    label: `${backend}${span === "-" ? "" : ` ${span}`} @${sizeLabel(events)}`,
    value: dashboardP50(results, backend, events, endpoint, span),
    unit: "ms",
  });

  const graphRows = [
    ...new Set([
      null,
      ...results.ingest.filter((r) => r.backend === "graph").map((r) => r.workers ?? null),
    ]),
  ];
  for (const workers of graphRows) {
    targets.push(
      ratioTarget(
        `ingest c64: ${ingestLabel({ backend: "graph", workers })} vs null`,
        rps("graph", workers),
        rps("null"),
        { atLeast: 0.9 },
        evidence(row("graph", workers), row("null")),
      ),
    );
  }
  targets.push(
    ratioTarget(
      "ingest c64: graph vs sqlite",
      rps("graph"),
      rps("sqlite"),
      { atLeast: 10 },
      evidence(row("graph"), row("sqlite")),
    ),
    ratioTarget(
      "ingest c64: null vs bare Express",
      rps("null"),
      rps("bare-express"),
      { atLeast: 0.95 },
      evidence(row("null"), row("bare-express")),
    ),
  );
  const dashboards = [
    ["symbol", "-", "symbol"],
    ["range", "day", "range (day)"],
    ["range", "week", "range (week)"],
    ["range", "all", "range (all)"],
  ] as const;
  const trips = results.round_trips?.find((r) => r.events === 1e7);
  const floor10e7 = trips
    ? `a Neo4j \`RETURN 1\` alone took ${ms(trips.neo4j_p50_ms)} ms p50 at this size (MariaDB's \`SELECT 1\` ${ms(trips.mariadb_p50_ms)} ms)`
    : undefined;
  const denseSize = results.loads.find((load) => load.dense_minute_initials)?.events;
  const denseAt = (size: number) =>
    size === denseSize
      ? DENSE_SPANS.map((span) => ["range", span, `range (${span})`] as const)
      : [];
  for (const [endpoint, span, what] of [...dashboards, ...denseAt(1e7)]) {
    targets.push(
      ratioTarget(
        `10^7: graph ${what} p50 vs null`,
        p50("graph", 1e7, endpoint, span),
        p50("null", 1e7, endpoint, span),
        endpoint === "symbol" ? { atMost: 5 } : { atMost: 10 },
        floor10e7,
      ),
    );
  }
  for (const [endpoint, span, what] of dashboards) {
    targets.push(
      ratioTarget(
        `graph ${what} p50: 10^7 vs 10^4`,
        p50("graph", 1e7, endpoint, span),
        p50("graph", 1e4, endpoint, span),
        { atMost: 1.5 },
      ),
    );
  }
  if (denseSize !== undefined) {
    const initials = num(
      results.loads.find((load) => load.events === denseSize)!.dense_minute_initials!,
    );
    for (const span of ["week", "all", ...DENSE_SPANS] as const) {
      targets.push(
        ratioTarget(
          `${sizeLabel(denseSize)} with ${initials} initials in one minute: graph range (${span}) p50 vs a day`,
          p50("graph", denseSize, "range", span),
          p50("graph", denseSize, "range", "day"),
          { atMost: 2 },
        ),
      );
    }
  }
  const dense = results.dense;
  if (dense) {
    const [day, ...others] = dense.ranges;
    const slowest = others.sort((a, b) => b.p50_ms - a.p50_ms)[0];
    if (day && slowest) {
      targets.push(
        ratioTarget(
          `dense data set (${num(dense.events.denseMinuteInitials)} initials in one minute): slowest range p50 vs ${day.name}`,
          { label: slowest.name, value: slowest.p50_ms, unit: "ms" },
          { label: day.name, value: day.p50_ms, unit: "ms" },
          { atMost: 2 },
          `Neo4j ${dense.neo4jCpuMicrosPerEvent ?? "?"} µs CPU per event fed (${num(dense.feed.eventsPerSecond)} events/s)`,
        ),
      );
    }
  }
  const underLoad = results.under_load?.find((u) => u.workers === null) ?? results.under_load?.[0];
  for (const endpoint of ["symbol", "range"] as const) {
    const cell = (load: "idle" | "c64 ingest") =>
      underLoad?.cells.find((c) => c.endpoint === endpoint && c.load === load);
    const label = underLoad ? ingestLabel(underLoad) : "graph";
    const failed = underLoad?.failed_reads?.loaded ?? 0;
    if (underLoad && failed > 0) {
      // An error answer is slower than any latency: the p99 of the answers that came is not it.
      targets.push({
        name: `${label} ${endpoint} p99 under c64 ingest vs idle`,
        goal: "≤ 10×",
        measured: `${failed} requests under load not answered 200; ${cell("c64 ingest")?.samples ?? 0} ${endpoint} reads answered`,
        ratio: null,
        met: false,
        shortfall: `reads failed under load (${underLoad.failure_samples?.[0] ?? "no sample"})`,
        ...(underLoadEvidence(underLoad) ? { evidence: underLoadEvidence(underLoad)! } : {}),
      });
      continue;
    }
    targets.push(
      ratioTarget(
        `${label} ${endpoint} p99 under c64 ingest vs idle`,
        { label: `${endpoint} under load`, value: p99Of(cell("c64 ingest")), unit: "ms" },
        { label: "idle", value: p99Of(cell("idle")), unit: "ms" },
        { atMost: 10 },
        underLoadEvidence(underLoad),
      ),
    );
  }
  const phases = results.rebuild?.phases;
  const slowest = phases ? Object.entries(phases).sort((a, b) => b[1] - a[1])[0] : undefined;
  targets.push(
    ratioTarget(
      "10^6: symbol, sqlite p50 / graph p50",
      p50("sqlite", 1e6, "symbol", "-"),
      p50("graph", 1e6, "symbol", "-"),
      { atLeast: 100 },
    ),
    ratioTarget(
      "10^6: one-week range, sqlite p50 / graph p50",
      p50("sqlite", 1e6, "range", "week"),
      p50("graph", 1e6, "range", "week"),
      { atLeast: 1000 },
    ),
    ratioTarget(
      "graph rebuild",
      { label: "rebuild", value: results.rebuild_events_per_s ?? undefined, unit: "events/s" },
      { label: "target", value: 100_000, unit: "events/s" },
      { atLeast: 1 },
      phases && slowest
        ? `phases: ${Object.entries(phases)
            .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`)
            .join(", ")}; slowest: ${slowest[0]}`
        : undefined,
      "≥ 100 000 events/s",
    ),
  );
  return targets;
}
