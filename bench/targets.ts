import {
  ingestLabel,
  sameVariant,
  type BenchResults,
  type CpuPerRequest,
  type Endpoint,
  type IngestBackend,
  type IngestRow,
  type ServerVariant,
  type Span,
  type UnderLoadCell,
  type UnderLoadResult,
} from "./results.js";
import { TARGET_CONCURRENCY as TARGET_C } from "./settings.js";

import { DENSE_SPANS } from "./dashboard-latency.js";

/** The bench's targets, each a ratio of two numbers of one run, with what a miss is made of. */

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
  variant: ServerVariant = {},
): IngestRow | undefined {
  const rows = results.ingest.filter(
    (r) => r.backend === backend && r.concurrency === concurrency && sameVariant(r, variant),
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

/** A target that holds or not, with no ratio: a count that must be zero, say. */
function countTarget(name: string, goal: string, count: number | undefined, what: string): Target {
  if (count === undefined) {
    return { name, goal, measured: "not measured in this run", ratio: null, met: null };
  }
  const target: Target = {
    name,
    goal,
    measured: `${num(count)} ${what}`,
    ratio: null,
    met: count === 0,
  };
  if (count > 0) target.shortfall = `${num(count)} ${what}`;
  return target;
}

/** The graph store's bytes per event after the largest bulk import, for the flatness evidence. */
function bytesPerEvent(results: BenchResults): string | undefined {
  const load = [...results.loads].reverse().find((l) => (l.graph_store_mb ?? null) !== null);
  if (!load) return undefined;
  const bytes = (load.graph_store_mb! * 2 ** 20) / load.events;
  return `graph store ${num(load.graph_store_mb!)} MiB at ${sizeLabel(load.events)}: ${num(bytes)} bytes per event`;
}

/**
 * The performance issue's targets (reads near their floor, reads under load, CPU per event,
 * flat to 10^7, the rebuild), then the design's lead over the naive baseline; each computed
 * from this run's numbers only.
 */
export function computeTargets(results: BenchResults): Target[] {
  const targets: Target[] = [];
  const cores = results.machine.cores;
  const row = (backend: IngestBackend, variant: ServerVariant = {}) =>
    ingestRow(results, backend, TARGET_C, variant);
  const rps = (backend: IngestBackend, variant: ServerVariant = {}) => ({
    label: ingestLabel({ backend, ...variant }),
    value: row(backend, variant)?.rps,
    unit: "req/s",
  });
  const evidence = (...rows: (IngestRow | undefined)[]) =>
    rows
      .map((r) => cpuEvidence(r, cores))
      .filter((text) => text !== null)
      .join("; ") || undefined;
  const p50 = (backend: string, events: number, endpoint: Endpoint, span: Span) => ({
    label: `${backend}${span === "-" ? "" : ` ${span}`} @${sizeLabel(events)}`,
    value: dashboardP50(results, backend, events, endpoint, span),
    unit: "ms",
  });
  const dashboards = [
    ["symbol", "-", "symbol"],
    ["range", "day", "range (day)"],
    ["range", "week", "range (week)"],
    ["range", "all", "range (all)"],
  ] as const;
  const denseSize = results.loads.find((load) => load.dense_minute_initials)?.events;
  const denseAt = (size: number) =>
    size === denseSize
      ? DENSE_SPANS.map((span) => ["range", span, `range (${span})`] as const)
      : [];

  // 1. Reads within 2× (symbol) and 3× (ranges) of a Neo4j round trip, at every size.
  for (const trips of results.round_trips ?? []) {
    const floor = { label: "Neo4j RETURN 1", value: trips.neo4j_p50_ms, unit: "ms" };
    for (const [endpoint, span, what] of [...dashboards, ...denseAt(trips.events)]) {
      targets.push(
        ratioTarget(
          `reads @${sizeLabel(trips.events)}: graph ${what} p50 vs Neo4j RETURN 1`,
          p50("graph", trips.events, endpoint, span),
          floor,
          { atMost: endpoint === "symbol" ? 2 : 3 },
          `MariaDB SELECT 1 ${ms(trips.mariadb_p50_ms)} ms p50; Neo4j RETURN 1 p99 ${ms(trips.neo4j_p99_ms)} ms`,
        ),
      );
    }
  }

  // 2. Reads under c64 ingest, each graph server measured (the default and every variant).
  for (const result of results.under_load ?? []) {
    const label = ingestLabel(result);
    const cell = (endpoint: UnderLoadCell["endpoint"], load: UnderLoadCell["load"]) =>
      result.cells.find((c) => c.endpoint === endpoint && c.load === load);
    const failed = result.failed_reads?.loaded ?? 0;
    for (const endpoint of ["symbol", "range"] as const) {
      const name = `${label}: ${endpoint} p99 under c64 ingest vs idle`;
      if (failed > 0) {
        // An error answer is slower than any latency: the p99 of the answers that came is not it.
        targets.push({
          name,
          goal: "≤ 5×",
          measured: `${failed} requests under load not answered 200`,
          ratio: null,
          met: false,
          shortfall: `reads failed under load (${result.failure_samples?.[0] ?? "no sample"})`,
        });
        continue;
      }
      targets.push(
        ratioTarget(
          name,
          {
            label: `${endpoint} under load`,
            value: p99Of(cell(endpoint, "c64 ingest")),
            unit: "ms",
          },
          { label: "idle", value: p99Of(cell(endpoint, "idle")), unit: "ms" },
          { atMost: 5 },
          underLoadEvidence(result),
        ),
      );
    }
    targets.push(
      countTarget(`${label}: stale reads under c64 ingest`, "0", result.stale_reads, "stale reads"),
      ratioTarget(
        `${label}: read-your-writes lag p99 under c64 ingest`,
        { label: "lag p99", value: p99Of(cell("read-your-writes", "c64 ingest")), unit: "ms" },
        { label: "bound", value: 250, unit: "ms" },
        { atMost: 1 },
        undefined,
        "≤ 250 ms",
      ),
    );
  }

  // 3. CPU per accepted event, all server processes, against null's; WORKERS=2 against 1.
  const cpuSide = (backend: IngestBackend, variant: ServerVariant = {}) => {
    const r = row(backend, variant);
    return {
      label: `${ingestLabel({ backend, ...variant })} CPU`,
      value: r?.cpu_ms_per_request ? cpuTotal(r.cpu_ms_per_request) * 1000 : undefined,
      unit: "µs/event",
    };
  };
  const graphVariants: ServerVariant[] = [
    {},
    ...results.ingest
      .filter(
        (r) =>
          r.backend === "graph" && ((r.workers ?? null) !== null || (r.projector ?? null) !== null),
      )
      .map((r) => ({ workers: r.workers ?? null, projector: r.projector ?? null })),
  ].filter((v, i, all) => all.findIndex((w) => sameVariant(v, w)) === i);
  for (const variant of graphVariants) {
    targets.push(
      ratioTarget(
        `CPU per event at c64: ${ingestLabel({ backend: "graph", ...variant })} vs null`,
        cpuSide("graph", variant),
        cpuSide("null"),
        { atMost: 1.4 },
        evidence(row("graph", variant), row("null")),
      ),
    );
  }
  targets.push(
    ratioTarget(
      "ingest c64: graph WORKERS=2 vs WORKERS=1",
      rps("graph", { workers: 2 }),
      rps("graph", { workers: 1 }),
      { atLeast: 1.5 },
      evidence(row("graph", { workers: 2 }), row("graph", { workers: 1 })),
    ),
  );

  // 4. Flat to 10^7.
  for (const [endpoint, span, what] of dashboards) {
    targets.push(
      ratioTarget(
        `flat: graph ${what} p50 at 10^7 vs 10^4`,
        p50("graph", 1e7, endpoint, span),
        p50("graph", 1e4, endpoint, span),
        { atMost: 1.5 },
        bytesPerEvent(results),
      ),
    );
  }

  // 5. The rebuild, end to end.
  const phases = results.rebuild?.phases;
  const slowest = phases ? Object.entries(phases).sort((a, b) => b[1] - a[1])[0] : undefined;
  targets.push(
    ratioTarget(
      `graph rebuild${results.rebuild ? ` of ${sizeLabel(results.rebuild.events)}` : ""}`,
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

  // The design against the naive reference.
  targets.push(
    ratioTarget(
      "ingest c64: graph vs sqlite",
      rps("graph"),
      rps("sqlite"),
      { atLeast: 10 },
      evidence(row("graph"), row("sqlite")),
    ),
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
  );
  return targets;
}
