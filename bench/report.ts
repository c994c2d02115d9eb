import type { BenchResults, DashboardRow, Endpoint, IngestBackend, Span } from "./results.js";

export interface Target {
  name: string;
  goal: string;
  /** What was compared, with the numbers. */
  measured: string;
  ratio: number | null;
  /** null when this run did not measure what the target needs. */
  met: boolean | null;
}

const ms = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
const num = (value: number) => Math.round(value).toLocaleString("en-US");
const ratioText = (ratio: number) => (ratio >= 100 ? `${num(ratio)}×` : `${ratio.toFixed(2)}×`);
export const sizeLabel = (events: number) => {
  const exponent = Math.log10(events);
  return Number.isInteger(exponent) ? `10^${exponent}` : num(events);
};

function ingestRps(results: BenchResults, backend: IngestBackend, concurrency: number) {
  return results.ingest.find((r) => r.backend === backend && r.concurrency === concurrency)?.rps;
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
  goal = "atLeast" in bound ? `≥ ${bound.atLeast}×` : `≤ ${bound.atMost}×`,
): Target {
  if (numerator.value === undefined || denominator.value === undefined || denominator.value <= 0) {
    return { name, goal, measured: "not measured in this run", ratio: null, met: null };
  }
  const ratio = numerator.value / denominator.value;
  const show = (side: Side) =>
    `${side.label} ${side.unit === "ms" ? ms(side.value!) : num(side.value!)} ${side.unit}`;
  const met = "atLeast" in bound ? ratio >= bound.atLeast : ratio <= bound.atMost;
  return { name, goal, measured: `${show(numerator)} / ${show(denominator)}`, ratio, met };
}

/** The issue's targets, each computed from this run's numbers only. */
export function computeTargets(results: BenchResults): Target[] {
  const targets: Target[] = [];
  const rps = (backend: IngestBackend) => ({
    label: backend,
    value: ingestRps(results, backend, 64),
    unit: "req/s",
  });
  const p50 = (backend: string, events: number, endpoint: Endpoint, span: Span) => ({
    label: `${backend}${span === "-" ? "" : ` ${span}`} @${sizeLabel(events)}`,
    value: dashboardP50(results, backend, events, endpoint, span),
    unit: "ms",
  });

  targets.push(
    ratioTarget("ingest c64: graph vs null", rps("graph"), rps("null"), {
      atLeast: 0.7,
    }),
    ratioTarget("ingest c64: graph vs sqlite", rps("graph"), rps("sqlite"), {
      atLeast: 10,
    }),
    ratioTarget("ingest c64: null vs bare Express", rps("null"), rps("bare-express"), {
      atLeast: 0.9,
    }),
  );
  const dashboards = [
    ["symbol", "-", "symbol"],
    ["range", "day", "range (day)"],
    ["range", "week", "range (week)"],
    ["range", "all", "range (all)"],
  ] as const;
  for (const [endpoint, span, what] of dashboards) {
    targets.push(
      ratioTarget(
        `10^7: graph ${what} p50 vs null`,
        p50("graph", 1e7, endpoint, span),
        p50("null", 1e7, endpoint, span),
        endpoint === "symbol" ? { atMost: 5 } : { atMost: 10 },
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
      "≥ 100 000 events/s",
    ),
  );
  return targets;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const cellKey = (row: Pick<DashboardRow, "backend" | "endpoint" | "span">) =>
  `${row.backend} ${row.endpoint} ${row.span}`;

/** The Markdown report: the run's tables, its targets and how it was measured. */
export function renderMarkdown(
  results: BenchResults,
  targets: Target[],
  chartFile: string,
): string {
  const m = results.machine;
  const s = results.settings;
  const out: string[] = [];
  out.push(`# vowelgraph benchmark (${results.mode})`);
  out.push("");
  out.push(
    `Run ${results.started_at} → ${results.finished_at} (${(results.duration_s / 60).toFixed(1)} min) ` +
      `of revision ${results.revision}. ` +
      `Machine: ${m.cores} cores (${m.cpu_model}), ${m.memory_gb.toFixed(0)} GiB, Node ${m.node_version}` +
      (m.mariadb_version ? `, MariaDB ${m.mariadb_version}` : "") +
      (m.neo4j_version ? `, ${m.neo4j_version}` : "") +
      `. Load average ${m.load_average.start.toFixed(1)} at the start, ` +
      `${m.load_average.end?.toFixed(1) ?? "?"} at the end (anything else running skews the numbers). ` +
      "Absolute numbers depend on the machine; compare ratios within one run.",
  );

  if (results.error) {
    out.push(
      "",
      `**The run stopped early:** ${results.error}. The tables hold what was measured before.`,
    );
  }
  out.push("", "## Targets", "");
  out.push(
    table(
      ["target", "goal", "measured", "ratio", "result"],
      targets.map((t) => [
        t.name,
        t.goal,
        t.measured,
        t.ratio === null ? "–" : ratioText(t.ratio),
        t.met === null ? "n/a" : t.met ? "met" : "**missed**",
      ]),
    ),
  );

  out.push("", "## Ingest (POST /initial + /followup, the client's mix)", "");
  out.push(
    `Each point: ${s.ingest_warmup_seconds} s warm-up, then ${s.ingest_seconds} s measured; ` +
      "the load generator (lib/client/load-client.ts) runs in the bench process, each server in its own.",
    "",
  );
  out.push(
    table(
      ["backend", "concurrency", "req/s", "p50 ms", "p99 ms", "errors"],
      results.ingest.map((r) => [
        r.backend,
        String(r.concurrency),
        num(r.rps),
        ms(r.p50_ms),
        ms(r.p99_ms),
        String(r.errors),
      ]),
    ),
  );

  out.push("", "## Dashboard latency (p50 / p99 ms, sequential requests)", "");
  const sizes = results.sizes;
  const cells = new Map<string, Map<number, DashboardRow>>();
  for (const row of results.dashboard) {
    if (!cells.has(cellKey(row))) cells.set(cellKey(row), new Map());
    cells.get(cellKey(row))!.set(row.events, row);
  }
  const skipped = new Map(results.skipped.map((c) => [`${c.backend} ${c.events}`, c.reason]));
  const rows: string[][] = [];
  for (const backend of ["graph", "sqlite", "null"] as const) {
    for (const [endpoint, span] of [
      ["symbol", "-"],
      ["range", "day"],
      ["range", "week"],
      ["range", "all"],
    ] as const) {
      const bySize = cells.get(cellKey({ backend, endpoint, span }));
      if (!bySize) continue;
      rows.push([
        backend,
        endpoint === "symbol" ? "symbol" : `range ${span}`,
        ...sizes.map((size) => {
          const row = bySize.get(size);
          if (row) return `${ms(row.p50_ms)} / ${ms(row.p99_ms)} (${row.samples})`;
          return skipped.has(`${backend} ${size}`) ? "skipped" : "–";
        }),
      ]);
    }
  }
  out.push(table(["backend", "endpoint", ...sizes.map(sizeLabel)], rows));
  out.push(
    "",
    "(n) = samples. Range bounds are random microsecond ISO times inside the data: a day or a " +
      "week anywhere in it, or all of it (from within its first minute to within its last). " +
      `Samples per cell: ${s.dashboard_samples.symbol} symbol, ${s.dashboard_samples.range} per range span` +
      `, or fewer when a cell has run ${s.dashboard_samples.budget_s} s (after at least 10; sqlite 3). ` +
      "null stores nothing: its row is the HTTP floor, measured again at every size.",
  );
  for (const c of results.skipped)
    out.push("", `- ${c.backend} @${sizeLabel(c.events)} skipped: ${c.reason}`);
  out.push("", `![dashboard p50 latency vs stored events](${chartFile})`);

  out.push("", "## Loading the data", "");
  out.push(
    `Events over a fixed ${s.data_span_days}-day span, grown step by step; each step adds a fresh ` +
      `${s.data_span_days}-day stream (time order within it). Bulk paths: multi-row INSERTs into the ` +
      "MariaDB `events` table, then the graph is rebuilt from the whole log by `npm run graph:rebuild` " +
      "(Neo4j's bulk importer) and the server started on it (timed from the rebuild's start until the " +
      "server answers with the graph at the newest event); " +
      "api_events rows in one transaction per 5000 for sqlite.",
    "",
  );
  out.push(
    table(
      [
        "events",
        "added",
        "initials",
        "followups",
        "MariaDB load s (rows/s)",
        "graph import + start s (events/s)",
        "graph server peak RSS MiB",
        "sqlite load s",
      ],
      results.loads.map((l) => [
        sizeLabel(l.events),
        num(l.added),
        l.initials ? num(l.initials) : "–",
        l.initials ? num(l.followups) : "–",
        l.mariadb_load_s === null
          ? "–"
          : `${l.mariadb_load_s.toFixed(1)} (${num(l.mariadb_rows_per_s!)})`,
        l.graph_start_s === null
          ? "–"
          : `${l.graph_start_s.toFixed(1)} (${num(l.graph_catch_up_events_per_s!)})`,
        l.graph_peak_rss_mb === null ? "–" : l.graph_peak_rss_mb.toFixed(0),
        l.sqlite_load_s === null ? "–" : l.sqlite_load_s.toFixed(1),
      ]),
    ),
  );

  out.push("", "## Rebuild", "");
  out.push(
    results.rebuild_error
      ? `**Failed:** ${results.rebuild_error}`
      : results.rebuild
        ? "`npm run graph:rebuild` (Neo4j's bulk importer into the test server: the log to CSV, " +
          `stop, import, start, catch up) over ${num(results.rebuild.events)} events: ` +
          `${results.rebuild.seconds.toFixed(1)} s, **${num(results.rebuild_events_per_s!)} events/s**.`
        : "Not run.",
  );

  out.push("", "## Peak RSS of the API process during the ingest runs (VmHWM)", "");
  out.push(
    table(
      ["backend", "peak RSS MiB"],
      Object.entries(results.peak_rss_mb).map(([backend, mb]) => [backend, mb.toFixed(0)]),
    ),
  );

  if (results.checks.length > 0) {
    out.push("", "## Checks", "");
    for (const check of results.checks) out.push(`- ${check}`);
  }
  out.push("");
  return out.join("\n");
}
