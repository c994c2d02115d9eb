import fs from "node:fs";
import path from "node:path";
import { capacitySection } from "./capacity.js";
import { renderChart } from "./chart.js";
import {
  ingestLabel,
  sameVariant,
  type BenchResults,
  type DashboardRow,
  type IngestRow,
  type UnderLoadResult,
} from "./results.js";
import { formatMicros } from "../lib/model/timestamp.js";
import { DENSE_SPANS } from "./dashboard-latency.js";
import { DENSE_MINUTE } from "./settings.js";
import { computeTargets, micros, ms, num, ratioText, sizeLabel, type Target } from "./targets.js";

export { sizeLabel };

/** The run's outputs: the JSON, the Markdown report and the chart beside it. */
export function writeOutputs(results: BenchResults, out: string): string[] {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const base = out.replace(/\.json$/, "");
  const svg = `${base}.svg`;
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(
    `${base}.md`,
    renderMarkdown(results, computeTargets(results), path.basename(svg)),
  );
  fs.writeFileSync(svg, renderChart(results.dashboard));
  return [out, `${base}.md`, svg];
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
      (m.neo4j_page_cache ? ` (page cache ${m.neo4j_page_cache})` : "") +
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
  const missed = targets.filter((t) => t.met === false);
  if (missed.length > 0) {
    out.push("", "Missed, by how much, and what was measured meanwhile:", "");
    for (const t of missed) {
      out.push(`- **${t.name}**: ${t.shortfall}.${t.evidence ? ` Measured: ${t.evidence}.` : ""}`);
    }
  }

  out.push("", "## Ingest (POST /initial + /followup, the client's mix)", "");
  out.push(
    `Each point: ${s.ingest_warmup_seconds} s warm-up, then ${s.ingest_repeats ?? 1} runs of ` +
      `${s.ingest_seconds} s: the median, and the spread (min–max) of req/s. ` +
      `Load generator: ${s.wrk ? `wrk (${s.wrk}) with bench/wrk/client-mix.lua, one connection per thread` : "the Node client"}` +
      "; the Node client rows are the project's own client (lib/client/load-client.ts) in a process of its own. " +
      `\`graph\` has WORKERS unset (the server's default: one API process per core, ${results.machine.cores} here); ` +
      "`graph WORKERS=n` sets it; `graph PROJECTOR=worker` runs the projector inside the API " +
      "processes instead of in a process of its own (the default). " +
      "CPU per request from /proc/<pid>/stat (utime + stime) of the API server's process tree, mariadbd " +
      "(shared: whatever else uses it shows too), the Neo4j JVM and the load generator; " +
      "busy = cores the whole machine kept busy, others = what no watched process used.",
    "",
  );
  out.push(ingestTable(results.ingest, results.machine.cores));
  const costs = generatorCosts(results.ingest);
  if (costs) out.push("", costs);
  if (results.under_load?.length) out.push("", underLoadSection(results.under_load));
  const capacity = capacitySection(results);
  if (capacity) out.push("", capacity);
  for (const error of results.under_load_errors ?? []) {
    out.push("", `- **Dashboards under load failed** on ${error}`);
  }

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
      ...DENSE_SPANS.map((dense) => ["range", dense] as const),
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
  if (results.round_trips?.length) {
    out.push(
      "",
      "The floor under the graph's cells: one trivial query's round trip from the bench's process " +
        "to each store, p50 / p99 ms (300 in a row, measured right after the graph's cells):",
      "",
      table(
        ["store", ...results.round_trips.map((r) => sizeLabel(r.events))],
        [
          [
            "Neo4j `RETURN 1`",
            ...results.round_trips.map((r) => `${ms(r.neo4j_p50_ms)} / ${ms(r.neo4j_p99_ms)}`),
          ],
          [
            "MariaDB `SELECT 1`",
            ...results.round_trips.map((r) => `${ms(r.mariadb_p50_ms)} / ${ms(r.mariadb_p99_ms)}`),
          ],
        ],
      ),
    );
  }
  const dense = results.loads.find((load) => load.dense_minute_initials);
  if (dense) {
    out.push(
      "",
      `The largest size's data holds one minute of dense traffic: ${num(dense.dense_minute_initials!)} ` +
        `of its initials (and their followups) in the minute from ${formatMicros(DENSE_MINUTE)}. ` +
        "Its rows: µs bounds both inside that minute (dense minute), from inside it to 1–20 h " +
        "later (dense to hours), from 1–10 days before to inside it (days to dense).",
    );
  }
  for (const c of results.skipped)
    out.push("", `- ${c.backend} @${sizeLabel(c.events)} skipped: ${c.reason}`);
  out.push("", `![dashboard p50 latency vs stored events](${chartFile})`);

  if (results.dense || results.dense_error) out.push("", denseSection(results));

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
        "graph store MiB",
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
        l.graph_store_mb === null || l.graph_store_mb === undefined ? "–" : num(l.graph_store_mb),
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
          `${results.rebuild.seconds.toFixed(1)} s, **${num(results.rebuild_events_per_s!)} events/s**` +
          (results.rebuild.phases
            ? ` (${Object.entries(results.rebuild.phases)
                .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`)
                .join(", ")}).`
            : ".")
        : "Not run.",
  );

  out.push("", "## Peak RSS of the API (main) process during the ingest runs (VmHWM)", "");
  out.push(
    table(
      ["server", "peak RSS MiB"],
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

const range = (row: IngestRow) =>
  row.rps_min === undefined ? "" : ` (${num(row.rps_min)}–${num(row.rps_max!)})`;

function ingestTable(rows: readonly IngestRow[], cores: number): string {
  return table(
    [
      "server",
      "load",
      "c",
      "req/s (min–max)",
      "p50 ms",
      "p99 ms",
      "errors",
      "API µs/req",
      "mariadbd µs/req",
      "Neo4j µs/req",
      "load gen µs/req",
      `busy of ${cores} cores (others)`,
    ],
    rows.map((r) => {
      const cpu = r.cpu_ms_per_request;
      return [
        ingestLabel(r),
        r.generator ?? "node",
        String(r.concurrency),
        `${num(r.rps)}${range(r)}`,
        ms(r.p50_ms),
        ms(r.p99_ms),
        String(r.errors),
        micros(cpu?.api),
        micros(cpu?.mariadb),
        micros(cpu?.neo4j),
        micros(cpu?.generator),
        r.machine_busy_cores === undefined
          ? "–"
          : `${r.machine_busy_cores.toFixed(2)} (${r.other_cores!.toFixed(2)})`,
      ];
    }),
  );
}

/** wrk's and the Node client's CPU per request against the server's, at the same point. */
function generatorCosts(rows: readonly IngestRow[]): string | null {
  const lines: string[][] = [];
  for (const node of rows.filter((r) => r.generator === "node")) {
    const wrk = rows.find(
      (r) =>
        r.generator === "wrk" &&
        r.backend === node.backend &&
        sameVariant(r, node) &&
        r.concurrency === node.concurrency,
    );
    if (!wrk?.cpu_ms_per_request || !node.cpu_ms_per_request) continue;
    const share = (row: IngestRow) => {
      const initials = (row.runs ?? []).reduce((sum, run) => sum + run.initials, 0);
      const followups = (row.runs ?? []).reduce((sum, run) => sum + run.followups, 0);
      return initials > 0 ? `${((100 * followups) / initials).toFixed(1)}%` : "–";
    };
    lines.push([
      ingestLabel(node),
      String(node.concurrency),
      `${share(wrk)} / ${share(node)}`,
      `${micros(wrk.cpu_ms_per_request.generator)} / ${micros(wrk.cpu_ms_per_request.api)}`,
      `${num(wrk.rps)}`,
      `${micros(node.cpu_ms_per_request.generator)} / ${micros(node.cpu_ms_per_request.api)}`,
      `${num(node.rps)}`,
    ]);
  }
  if (lines.length === 0) return null;
  return [
    "### What the load generator costs",
    "",
    "CPU µs per request of the load generator / of the API server, same server and concurrency " +
      "(and the mix each produced: followups per initial answered):",
    "",
    table(
      [
        "server",
        "c",
        "followups per initial, wrk / Node",
        "wrk / API",
        "req/s with wrk",
        "Node client / API",
        "req/s with the Node client",
      ],
      lines,
    ),
  ].join("\n");
}

function underLoadSection(results: readonly UnderLoadResult[]): string {
  const out = [
    "### Dashboards under write load",
    "",
    "One connection reads a random symbol and a random range (microsecond bounds inside what the " +
      "ingest wrote) in turn; a second plays read-your-writes probes: POST /initial for `z` (which " +
      "wrk leaves out of its mix meanwhile), then GET /dashboard/symbol/z until the count includes " +
      "it — the lag runs from the POST's 200 to that answer, and an answer without it is a stale read. " +
      "First with nothing else running, then while wrk drives c64 fresh-uuid ingest.",
    "",
  ];
  const rows: string[][] = [];
  for (const result of results) {
    for (const cell of result.cells) {
      rows.push([
        ingestLabel(result),
        cell.endpoint,
        cell.load,
        cell.samples > 0 ? ms(cell.p50_ms) : "–",
        cell.samples > 0 ? ms(cell.p99_ms) : "–",
        String(cell.samples),
      ]);
    }
  }
  out.push(table(["server", "read", "while", "p50 ms", "p99 ms", "samples"], rows));
  for (const result of results) {
    const cpu = result.cpu_ms_per_request;
    out.push(
      "",
      `- ${ingestLabel(result)}: wrk ingested ${num(result.ingest_rps)} req/s meanwhile` +
        (cpu
          ? ` (CPU µs per ingest request: API ${micros(cpu.api)}, mariadbd ${micros(cpu.mariadb)}, ` +
            `Neo4j ${micros(cpu.neo4j)}, wrk ${micros(cpu.generator)}; ${result.machine_busy_cores?.toFixed(2)} cores busy)`
          : "") +
        `; ${result.stale_reads} stale reads, ${result.lost_probes} probes never saw their write` +
        (result.failed_reads
          ? `; requests not answered 200: ${result.failed_reads.idle} idle, ${result.failed_reads.loaded} under load`
          : "") +
        (result.failure_samples?.length ? ` (first: ${result.failure_samples[0]})` : "") +
        ".",
    );
  }
  return out.join("\n");
}

/** The dense-traffic phase: what the data set was, what it cost to write and store, its ranges. */
function denseSection(results: BenchResults): string {
  const d = results.dense;
  if (!d) return `## Dense traffic\n\n**Failed:** ${results.dense_error}`;
  const mb = (bytes: number | null) =>
    bytes === null ? "?" : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const nodes = Object.entries(d.nodes)
    .map(([kind, n]) => `${kind} ${num(n)}`)
    .join(", ");
  return [
    "## Dense traffic (bench/dense-range.ts)",
    "",
    `${num(d.events.initials)} initials and ${num(d.events.followups)} followups, ` +
      `${num(d.events.denseMinuteInitials)} of the initials in one minute, the rest over 30 days, ` +
      "fed through the graph backend in time order with a replay clock (the log, the projection " +
      "and the graph are the service's; HTTP is left out), then ranges read straight from the " +
      "backend, round robin, each case with fresh random bounds per read.",
    "",
    `- Writes: fed and projected in ${d.feed.seconds.toFixed(1)} s (${num(d.feed.eventsPerSecond)} events/s); ` +
      `Neo4j used ${d.neo4jCpuSeconds?.toFixed(1) ?? "?"} CPU s, ` +
      `**${d.neo4jCpuMicrosPerEvent ?? "?"} µs per event**.`,
    `- Storage: ${nodes}; store ${mb(d.storeBytes)}, transaction logs ${mb(d.transactionLogBytes)} ` +
      "(as on disk before the next checkpoint).",
    `- Checked: ${d.checkedAgainstSql} range answers equal SQL over the raw log.`,
    "",
    table(
      ["range", "p50 ms", "p99 ms", "p50 / first row's", "samples"],
      d.ranges.map((r) => [
        r.name,
        ms(r.p50_ms),
        ms(r.p99_ms),
        ratioText(d.ratioToDay[r.name] ?? NaN),
        String(r.samples),
      ]),
    ),
  ].join("\n");
}
