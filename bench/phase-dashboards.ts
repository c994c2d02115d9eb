import path from "node:path";
import type { Config } from "../lib/config.js";
import { createMariadbPool } from "../lib/stores/mariadb.js";
import type { SymbolAggregate } from "../lib/model/aggregates.js";
import { seededRandom } from "../lib/model/random.js";
import { formatMicros, MICROS_PER_DAY } from "../lib/model/timestamp.js";
import {
  countLoggedEvents,
  describeRebuild,
  rebuildScratchGraph,
  waitUntilGraphCurrent,
} from "./bench-stores.js";
import {
  denseMinuteEvents,
  generateEvents,
  loadEvents,
  MariadbBulkLoader,
  SqliteBulkLoader,
  type BenchEvent,
  type LoadedTotals,
} from "./bulk-load.js";
import {
  DashboardClient,
  DENSE_SPANS,
  measureCell,
  RANGE_SPANS,
  randomDenseRange,
  randomRange,
  randomSymbol,
  rangePath,
  symbolPath,
  totalsOf,
  type DataSpan,
} from "./dashboard-latency.js";
import { neo4jDataDir, neo4jDiskBytes, neo4jPageCache } from "./neo4j-store.js";
import { backendEnv, MAIN_JS, say, serve, stop, VERIFY_JS } from "./processes.js";
import { pidListeningOn } from "./proc-stat.js";
import { measureRoundTrips } from "./round-trips.js";
import { sizeLabel } from "./report.js";
import type { Backend, BenchResults, DashboardRow, LoadRow } from "./results.js";
import { runJson } from "./run-script.js";
import type { ServerProcess } from "./server-process.js";
import {
  DATA_SPAN_DAYS,
  DATA_START,
  DENSE_MINUTE,
  SQLITE_ALWAYS_UP_TO,
  SQLITE_MAX_PREDICTED_REQUEST_S,
  VERIFY_UP_TO,
  type Settings,
} from "./settings.js";

/**
 * The dashboards phase: grows the stored data size by size; at each size loads the new events,
 * rebuilds the graph from the log by bulk import, checks that the loads arrived whole and times
 * every dashboard cell of graph, sqlite (while it finishes in bounded time) and null.
 */

/** `verify-cli --json` over the scratch stores: its verdict line (throws on differences). */
export async function verifyScratchGraph(): Promise<string> {
  const report = await runJson<{ verdict: string }>(VERIFY_JS, backendEnv("graph", ""), ["--json"]);
  return report.verdict;
}

/** Every dashboard cell of one backend at one size. */
async function measureDashboards(
  backend: Backend,
  server: ServerProcess,
  step: Pick<Step, "size" | "data" | "seed">,
  settings: Settings,
): Promise<DashboardRow[]> {
  const { size: events, data, seed } = step;
  const client = new DashboardClient(server.url);
  const random = seededRandom(seed);
  const rows: DashboardRow[] = [];
  const plan = (endpoint: "symbol" | "range") => settings.plans[backend][endpoint];
  try {
    const symbol = await measureCell(
      client,
      () => symbolPath(randomSymbol(random)),
      plan("symbol"),
    );
    rows.push({ backend, events, endpoint: "symbol", span: "-", ...symbol });
    for (const span of RANGE_SPANS) {
      const cell = await measureCell(
        client,
        () => rangePath(...randomRange(span, data, random)),
        plan("range"),
      );
      rows.push({ backend, events, endpoint: "range", span, ...cell });
    }
    const minute = data.denseMinute;
    for (const span of minute === undefined ? [] : DENSE_SPANS) {
      const cell = await measureCell(
        client,
        () => rangePath(...randomDenseRange(span, minute!, random)),
        plan("range"),
      );
      rows.push({ backend, events, endpoint: "range", span, ...cell });
    }
  } finally {
    client.close();
  }
  for (const row of rows) {
    say(
      `  ${backend} @${sizeLabel(events)} ${row.endpoint} ${row.span}: p50 ${row.p50_ms.toFixed(3)} ms, ` +
        `p99 ${row.p99_ms.toFixed(3)} ms (${row.samples} samples)`,
    );
  }
  return rows;
}

/**
 * The dense minute of the largest size: `initials` initials (and their followups) in one
 * minute, part of the `added` events of the step.
 */
function denseMinute(initials: number, seed: number, added: number): BenchEvent[][] {
  const chunks = [...denseMinuteEvents(initials, DENSE_MINUTE, seededRandom(seed + 500))];
  const events = chunks.reduce((n, chunk) => n + chunk.length, 0);
  if (events > added / 2) {
    throw new Error(
      `a dense minute of ${initials} initials (${events} events) does not fit in the ${added} ` +
        "events of the largest size: give a larger size or --dense-minute with fewer",
    );
  }
  return chunks;
}

/** The whole data set in one range answer (date bounds well outside it). */
async function wholeRange(server: ServerProcess): Promise<SymbolAggregate[]> {
  const client = new DashboardClient(server.url);
  try {
    return await client.get<SymbolAggregate[]>("/dashboard/range/2000-01-01/2100-01-01");
  } finally {
    client.close();
  }
}

function checkTotals(what: string, answer: SymbolAggregate[], totals: LoadedTotals): string {
  const got = totalsOf(answer);
  if (got.initials !== totals.initials || got.followups !== totals.followups) {
    throw new Error(
      `${what}: the dashboard shows ${got.initials} initials and ${got.followups} followups, ` +
        `but ${totals.initials} and ${totals.followups} were loaded`,
    );
  }
  return `${what}: the whole-range dashboard shows all ${totals.initials} initials and ${totals.followups} followups loaded`;
}

const emptyTotals = (): LoadedTotals => ({
  initials: 0,
  followups: 0,
  firstInitial: Infinity,
  lastInitial: -Infinity,
});

/** What one step of growing the data set knows: its size, its data and where it is kept. */
interface Step {
  size: number;
  added: number;
  seed: number;
  totals: LoadedTotals;
  data: DataSpan;
  load: LoadRow;
  sqliteFile: string;
  /** The dense minute's events, in chunks (none but at the largest size). */
  dense: BenchEvent[][];
}

/**
 * The step's events: its dense minute's first (when it has one), then a 30-day stream of the
 * rest. Each from its own seed, so every store receives the same data.
 */
function* stepEvents(step: Step, spanMicros: number): Generator<BenchEvent[]> {
  yield* step.dense;
  const denseEvents = step.dense.reduce((n, chunk) => n + chunk.length, 0);
  yield* generateEvents(step.added - denseEvents, DATA_START, spanMicros, seededRandom(step.seed));
}

/** Adds `step.added` events to MariaDB (when the graph is measured) and to sqlite (when it still is). */
async function loadStep(
  step: Step,
  loaded: number,
  mariadb: MariadbBulkLoader | null,
  sqlite: SqliteBulkLoader | null,
  config: Config,
): Promise<LoadedTotals> {
  const spanMicros = DATA_SPAN_DAYS * MICROS_PER_DAY;
  const added = step.added;
  const totals = emptyTotals();
  if (mariadb) {
    const found = await countLoggedEvents(config);
    if (found !== loaded) {
      throw new Error(
        `the scratch log holds ${found ?? "no table of"} events instead of the ${loaded} loaded: ` +
          "something else used og_test during the bench (npm test?); run them one at a time",
      );
    }
    let reported = performance.now();
    const seconds = await loadEvents(stepEvents(step, spanMicros), [mariadb], totals, (n) => {
      if (performance.now() - reported < 15_000) return;
      reported = performance.now();
      say(`  MariaDB: ${n.toLocaleString("en-US")} of ${added.toLocaleString("en-US")} rows`);
    });
    step.load.mariadb_load_s = seconds;
    step.load.mariadb_rows_per_s = added / seconds;
    say(
      `  MariaDB bulk insert: ${added} rows in ${seconds.toFixed(1)} s (${(added / seconds).toFixed(0)} rows/s)`,
    );
  }
  if (sqlite) {
    // The same seed again: the same events, timed on their own.
    const sqliteTotals = emptyTotals();
    const seconds = await loadEvents(stepEvents(step, spanMicros), [sqlite], sqliteTotals);
    step.load.sqlite_load_s = seconds;
    say(`  sqlite bulk insert: ${added} rows in ${seconds.toFixed(1)} s`);
    if (!mariadb) return sqliteTotals;
  }
  return totals;
}

/** Starts the graph server (it catches up with the new rows first), checks it and measures it. */
async function graphStep(step: Step, settings: Settings, results: BenchResults, config: Config) {
  const { size, added, load } = step;
  // The documented bulk path: the rows are in MariaDB; the graph is rebuilt from them by
  // Neo4j's bulk importer (npm run graph:rebuild), then the server starts on a current graph.
  say(`  graph: bulk import of the log (${size} events, ${added} new)`);
  const started = performance.now();
  say(`  ${describeRebuild(await rebuildScratchGraph())}`);
  const neo4j = pidListeningOn(Number(new URL(config.neo4j.uri).port || 7687));
  const dataDir = neo4j === null ? null : neo4jDataDir(neo4j);
  const store = dataDir === null ? null : neo4jDiskBytes(dataDir).store;
  load.graph_store_mb = store === null ? null : Math.round(store / 2 ** 20);
  if (neo4j !== null) results.machine.neo4j_page_cache = neo4jPageCache(neo4j);
  const server = await serve("graph", MAIN_JS, backendEnv("graph", step.sqliteFile));
  let answer: SymbolAggregate[];
  try {
    // The server may listen before it has caught up; time the catch-up by the graph's position.
    await waitUntilGraphCurrent(config, {
      timeoutMs: 3 * 3600_000,
      reportEveryMs: 15_000,
      report: (behind) =>
        say(
          `  graph catching up: ${behind.toLocaleString("en-US")} of ${size.toLocaleString("en-US")} events to go`,
        ),
    });
    load.graph_start_s = (performance.now() - started) / 1000;
    load.graph_catch_up_events_per_s = size / load.graph_start_s;
    say(
      `  graph loaded and serving ${load.graph_start_s.toFixed(1)} s after the import began ` +
        `(${load.graph_catch_up_events_per_s.toFixed(0)} events/s)`,
    );
    answer = await wholeRange(server);
    results.checks.push(checkTotals(`graph @${sizeLabel(size)}`, answer, step.totals));
    results.dashboard.push(...(await measureDashboards("graph", server, step, settings)));
    const trips = await measureRoundTrips(config, size);
    (results.round_trips ??= []).push(trips);
    say(
      `  round trips: Neo4j RETURN 1 p50 ${trips.neo4j_p50_ms.toFixed(3)} ms, ` +
        `MariaDB SELECT 1 p50 ${trips.mariadb_p50_ms.toFixed(3)} ms`,
    );
    load.graph_peak_rss_mb = Math.round(server.peakRssMb() * 10) / 10;
  } finally {
    await stop(server);
  }
  if (size <= VERIFY_UP_TO) {
    const verdict = await verifyScratchGraph();
    results.checks.push(`graph @${sizeLabel(size)}: ${verdict}`);
    say(`  ${verdict}`);
  }
  return answer;
}

/** Starts the sqlite server on the step's file, checks it against the graph's answer, measures it. */
async function sqliteStep(
  step: Step,
  graphAnswer: SymbolAggregate[] | null,
  settings: Settings,
  results: BenchResults,
): Promise<DashboardRow[]> {
  const server = await serve("sqlite", MAIN_JS, backendEnv("sqlite", step.sqliteFile));
  try {
    if (step.size <= VERIFY_UP_TO) {
      const answer = await wholeRange(server);
      results.checks.push(checkTotals(`sqlite @${sizeLabel(step.size)}`, answer, step.totals));
      if (graphAnswer) {
        if (JSON.stringify(answer) !== JSON.stringify(graphAnswer)) {
          throw new Error(
            `@${sizeLabel(step.size)}: sqlite and graph answer the whole range differently`,
          );
        }
        results.checks.push(
          `@${sizeLabel(step.size)}: sqlite and graph give the same whole-range answer`,
        );
      }
    }
    const rows = await measureDashboards("sqlite", server, step, settings);
    results.dashboard.push(...rows);
    return rows;
  } finally {
    await stop(server);
  }
}

/**
 * Grows the stored data size by size; at each size loads the new events, then measures the
 * graph, sqlite (while it finishes in bounded time) and null dashboards.
 */
export async function dashboardPhase(
  settings: Settings,
  results: BenchResults,
  config: Config,
  tmp: string,
) {
  const graph = settings.backends.includes("graph");
  let sqlite = settings.backends.includes("sqlite");
  const sqliteFile = path.join(tmp, "dashboard.sqlite");
  const totals = emptyTotals();
  let sqliteSlowestMs = 0;
  let loaded = 0;

  const pool = graph ? createMariadbPool(config.mariadb) : null;
  const mariadb = pool ? await MariadbBulkLoader.open(pool) : null;
  let sqliteLoader: SqliteBulkLoader | null = sqlite ? new SqliteBulkLoader(sqliteFile) : null;
  const nullServer = settings.backends.includes("null")
    ? await serve("null", MAIN_JS, backendEnv("null", sqliteFile))
    : null;
  try {
    for (const [index, size] of settings.sizes.entries()) {
      say(`== ${sizeLabel(size)} stored events: adding ${(size - loaded).toLocaleString("en-US")}`);
      if (sqlite && size > SQLITE_ALWAYS_UP_TO) {
        const predictedS = (sqliteSlowestMs * (size / loaded)) / 1000;
        if (predictedS > SQLITE_MAX_PREDICTED_REQUEST_S) {
          sqlite = false;
          await sqliteLoader?.close();
          sqliteLoader = null;
          const reason =
            `its slowest request took ${(sqliteSlowestMs / 1000).toFixed(1)} s at ${sizeLabel(loaded)}, ` +
            `so about ${predictedS.toFixed(0)} s per request is expected here ` +
            `(limit ${SQLITE_MAX_PREDICTED_REQUEST_S} s)`;
          for (const events of settings.sizes.filter((s) => s >= size)) {
            results.skipped.push({ backend: "sqlite", events, reason });
          }
          say(`sqlite stops at ${sizeLabel(loaded)}: ${reason}`);
        }
      }

      const step: Step = {
        size,
        added: size - loaded,
        // Each step's events come from their own seed, so both stores receive the same data.
        seed: settings.seed * 1000 + index,
        totals,
        data: { from: 0, to: 0 },
        load: {
          events: size,
          added: size - loaded,
          initials: 0,
          followups: 0,
          mariadb_load_s: null,
          mariadb_rows_per_s: null,
          graph_start_s: null,
          graph_catch_up_events_per_s: null,
          graph_peak_rss_mb: null,
          sqlite_load_s: null,
        },
        sqliteFile,
        dense: [],
      };
      if (index === settings.sizes.length - 1 && settings.denseMinuteInitials > 0) {
        step.dense = denseMinute(settings.denseMinuteInitials, step.seed, step.added);
        step.load.dense_minute_initials = settings.denseMinuteInitials;
        say(
          `  of them ${settings.denseMinuteInitials.toLocaleString("en-US")} initials in the ` +
            `minute from ${formatMicros(DENSE_MINUTE)}`,
        );
      }
      // Listed now, filled in as the step goes: a step that fails still shows what it measured.
      results.loads.push(step.load);
      const added = await loadStep(step, loaded, mariadb, sqliteLoader, config);
      totals.initials += added.initials;
      totals.followups += added.followups;
      totals.firstInitial = Math.min(totals.firstInitial, added.firstInitial);
      totals.lastInitial = Math.max(totals.lastInitial, added.lastInitial);
      loaded = size;
      step.load.initials = totals.initials;
      step.load.followups = totals.followups;
      // Nothing loaded (null alone): the span the data would have had.
      step.data = Number.isFinite(totals.firstInitial)
        ? { from: totals.firstInitial, to: totals.lastInitial + 1 }
        : { from: DATA_START, to: DATA_START + DATA_SPAN_DAYS * MICROS_PER_DAY };
      if (step.load.dense_minute_initials) step.data.denseMinute = DENSE_MINUTE;

      const graphAnswer = graph ? await graphStep(step, settings, results, config) : null;
      if (sqlite) {
        const rows = await sqliteStep(step, graphAnswer, settings, results);
        sqliteSlowestMs = Math.max(...rows.map((r) => r.p50_ms));
      }
      if (nullServer) {
        results.dashboard.push(...(await measureDashboards("null", nullServer, step, settings)));
      }
    }
  } finally {
    if (nullServer) await stop(nullServer);
    await sqliteLoader?.close();
    await mariadb?.close();
    await pool?.end();
  }
}
