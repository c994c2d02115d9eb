import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Config } from "../lib/config.js";
import { PROJECT_ROOT } from "../lib/config.js";
import { createMariadbPool } from "../lib/graph/mariadb.js";
import type { SymbolAggregate } from "../lib/model/aggregates.js";
import { seededRandom } from "../lib/model/random.js";
import { MICROS_PER_DAY } from "../lib/model/timestamp.js";
import {
  benchConfig,
  benchStoreEnv,
  countLoggedEvents,
  resetStores,
  storesProblem,
  storeVersions,
  lastLoggedId,
  rebuildScratchGraph,
  waitUntilGraphAt,
} from "./bench-stores.js";
import { lastLine, runScript } from "./run-script.js";
import { lockScratchStores, SCRATCH_LOCK } from "./scratch-lock.js";
import { loadEvents, MariadbBulkLoader, SqliteBulkLoader, type LoadedTotals } from "./bulk-load.js";
import { renderChart } from "./chart.js";
import {
  DashboardClient,
  measureCell,
  RANGE_SPANS,
  randomRange,
  randomSymbol,
  rangePath,
  symbolPath,
  totalsOf,
  type DataSpan,
  type SamplePlan,
} from "./dashboard-latency.js";
import { measureIngest } from "./ingest.js";
import { computeTargets, renderMarkdown, sizeLabel } from "./report.js";
import type { Backend, BenchResults, DashboardRow, IngestBackend, LoadRow } from "./results.js";
import { startServer, type ServerProcess } from "./server-process.js";

const USAGE = `usage: npm run bench -- [options]     (or: node dist/bench/run.js [options] after a build)

  --quick              smoke run in a few minutes: sizes 10^3 and 10^4, 2 s per ingest point,
                       few samples; writes bench/results/quick.* unless --out
  --sizes LIST         stored-event sizes, e.g. 1e4,1e5 (default 1e4,1e5,1e6,1e7)
  --backends LIST      subset of null,sqlite,graph (default all three; bare Express comes with ingest)
  --no-ingest          skip the ingest phase
  --no-rebuild         skip the rebuild measurement
  --seed N             seed of the generated data and of the load (default 1)
  --out FILE           results JSON (default bench/results/latest.json); the Markdown report and
                       the SVG chart are written beside it with .md and .svg
  --render FILE        only rewrite the .md and .svg of an existing results JSON

The graph backend uses the scratch stores of the tests (MariaDB og_test on the tests' server,
port 3307, Neo4j on Bolt 7688; MARIADB_TEST_HOST / MARIADB_TEST_PORT / MARIADB_TEST_DATABASE /
NEO4J_TEST_URI override), which the bench empties first.`;

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN_JS = path.join(PROJECT_ROOT, "dist", "lib", "main.js");
const VERIFY_JS = path.join(PROJECT_ROOT, "dist", "lib", "graph", "verify-cli.js");
const BARE_EXPRESS_JS = path.join(here, "bare-express.js");

const BACKENDS: readonly Backend[] = ["null", "sqlite", "graph"];
const CONCURRENCIES = [1, 16, 64];
/** Every size gets the same span, so density grows with size. */
const DATA_SPAN_DAYS = 30;
const DATA_START = Date.UTC(2017, 5, 1) * 1000;
/** The sqlite baseline is always measured up to here… */
const SQLITE_ALWAYS_UP_TO = 1e6;
/** …and beyond only while its slowest request is predicted (linear in size) to stay under this. */
const SQLITE_MAX_PREDICTED_REQUEST_S = 20;
/** Verifying the graph against SQL over the log scans it; cheap only for small logs. */
const VERIFY_UP_TO = 1e5;

interface Settings {
  quick: boolean;
  sizes: number[];
  backends: Backend[];
  ingest: boolean;
  rebuild: boolean;
  seed: number;
  out: string;
  ingestSeconds: number;
  ingestWarmupSeconds: number;
  /** Per endpoint; the sqlite baseline's are bounded by time as well. */
  plans: Record<Backend, Record<"symbol" | "range", SamplePlan>>;
}

const benchStarted = performance.now();
function say(message: string) {
  const seconds = ((performance.now() - benchStarted) / 1000).toFixed(0).padStart(5);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

function parseSettings(): Settings {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      backends: { type: "string" },
      "no-ingest": { type: "boolean", default: false },
      "no-rebuild": { type: "boolean", default: false },
      seed: { type: "string", default: "1" },
      out: { type: "string" },
      render: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.render) {
    const file = path.resolve(values.render);
    writeOutputs(JSON.parse(fs.readFileSync(file, "utf8")) as BenchResults, file);
    process.exit(0);
  }
  const quick = values.quick;
  const sizes = values.sizes
    ? values.sizes.split(",").map((text) => {
        const size = Number(text);
        if (!Number.isInteger(size) || size < 100) {
          throw new Error(`--sizes: "${text}" is not a whole number of events of at least 100`);
        }
        return size;
      })
    : quick
      ? [1e3, 1e4]
      : [1e4, 1e5, 1e6, 1e7];
  const backends = values.backends
    ? values.backends.split(",").map((name) => {
        if (!(BACKENDS as readonly string[]).includes(name)) {
          throw new Error(`--backends: "${name}" is not one of ${BACKENDS.join(", ")}`);
        }
        return name as Backend;
      })
    : [...BACKENDS];
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  const out = path.resolve(
    values.out ?? path.join(PROJECT_ROOT, "bench", "results", quick ? "quick.json" : "latest.json"),
  );
  const samples = quick ? { symbol: 40, range: 20 } : { symbol: 200, range: 100 };
  const warmup = quick ? 5 : 20;
  // Every backend's server is new at each size (the graph's Neo4j was just restarted by the
  // bulk import): warm each cell for a while, the same for every backend, before timing it.
  const warmupMs = quick ? 1000 : 5000;
  // Every cell stops after `budgetMs` once it has `minSamples`: a slow backend (sqlite by
  // design, or a regression) bounds the run instead of stretching it for hours. The table says
  // how many samples each cell took.
  const budgetMs = quick ? 5_000 : 60_000;
  const fixed = {
    symbol: { samples: samples.symbol, minSamples: 10, budgetMs, warmup, warmupMs },
    range: { samples: samples.range, minSamples: 10, budgetMs, warmup: warmup / 2, warmupMs },
  };
  return {
    quick,
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    backends,
    ingest: !values["no-ingest"],
    rebuild: !values["no-rebuild"],
    seed,
    out,
    ingestSeconds: quick ? 2 : 8,
    ingestWarmupSeconds: quick ? 0.5 : 5,
    plans: {
      graph: fixed,
      null: fixed,
      // The baseline scans the table twice per symbol asked (52 scans per range).
      sqlite: {
        symbol: { samples: samples.symbol, minSamples: 3, budgetMs, warmup: 1, warmupMs: 0 },
        range: { samples: samples.range, minSamples: 3, budgetMs, warmup: 1, warmupMs: 0 },
      },
    },
  };
}

/** The commit of the code measured, or "unknown" outside a git checkout. */
function revision(): string {
  const git = (...args: string[]) =>
    spawnSync("git", ["-C", PROJECT_ROOT, ...args], { encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return "unknown";
  const dirty = git("status", "--porcelain", "--", "lib", "sql", "cypher").stdout.trim() !== "";
  return `${head.stdout.trim()}${dirty ? "+dirty" : ""}`;
}

/** Child servers alive right now, stopped on the way out whatever happens. */
const running = new Set<ServerProcess>();

async function serve(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  startTimeoutMs = 120_000,
) {
  const server = await startServer({ name, script, env, startTimeoutMs });
  running.add(server);
  return server;
}

async function stop(server: ServerProcess) {
  running.delete(server);
  await server.stop();
}

function backendEnv(backend: Backend, sqlitePath: string): NodeJS.ProcessEnv {
  return { ...process.env, ...benchStoreEnv(), DATA_INTERFACE: backend, SQLITE_PATH: sqlitePath };
}

/** The gist of an error for the report: its first line and the first line naming an error. */
function firstLines(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").filter((line) => line.trim() && !/^\s+at /.test(line));
  const named = lines.find((line, i) => i > 0 && /^\w*(Error|Exception)\b/.test(line.trim()));
  return [lines[0], named]
    .filter((line) => line !== undefined)
    .join(" … ")
    .slice(0, 600);
}

async function ingestPhase(settings: Settings, results: BenchResults, tmp: string) {
  const order: IngestBackend[] = ["bare-express", "null", "sqlite", "graph"];
  for (const backend of order) {
    if (backend !== "bare-express" && !settings.backends.includes(backend)) continue;
    const server =
      backend === "bare-express"
        ? await serve(backend, BARE_EXPRESS_JS, process.env)
        : await serve(backend, MAIN_JS, backendEnv(backend, path.join(tmp, "ingest.sqlite")));
    try {
      for (const concurrency of CONCURRENCIES) {
        const row = await measureIngest(
          server.url,
          concurrency,
          settings.ingestSeconds,
          settings.ingestWarmupSeconds,
          settings.seed,
        );
        results.ingest.push({ backend, ...row });
        say(
          `ingest ${backend} c${concurrency}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50_ms.toFixed(2)} ms, ` +
            `p99 ${row.p99_ms.toFixed(2)} ms, ${row.errors} errors` +
            (row.error_samples ? ` (${row.error_samples[0]})` : ""),
        );
      }
      results.peak_rss_mb[backend] = Math.round(server.peakRssMb() * 10) / 10;
    } finally {
      await stop(server);
    }
  }
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
    const random = seededRandom(step.seed);
    const seconds = await loadEvents(
      added,
      DATA_START,
      spanMicros,
      random,
      [mariadb],
      totals,
      (n) => {
        if (performance.now() - reported < 15_000) return;
        reported = performance.now();
        say(`  MariaDB: ${n.toLocaleString("en-US")} of ${added.toLocaleString("en-US")} rows`);
      },
    );
    step.load.mariadb_load_s = seconds;
    step.load.mariadb_rows_per_s = added / seconds;
    say(
      `  MariaDB bulk insert: ${added} rows in ${seconds.toFixed(1)} s (${(added / seconds).toFixed(0)} rows/s)`,
    );
  }
  if (sqlite) {
    // The same seed again: the same events, timed on their own.
    const sqliteTotals = emptyTotals();
    const random = seededRandom(step.seed);
    const seconds = await loadEvents(added, DATA_START, spanMicros, random, [sqlite], sqliteTotals);
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
  say(`  ${await rebuildScratchGraph()}`);
  const server = await serve("graph", MAIN_JS, backendEnv("graph", step.sqliteFile));
  let answer: SymbolAggregate[];
  try {
    // The server may listen before it has caught up; time the catch-up by the graph's position.
    await waitUntilGraphAt(config, await lastLoggedId(config), {
      timeoutMs: 3 * 3600_000,
      reportEveryMs: 15_000,
      report: (position) =>
        say(
          `  graph catching up: at event ${position.toLocaleString("en-US")} of ${size.toLocaleString("en-US")}`,
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
    load.graph_peak_rss_mb = Math.round(server.peakRssMb() * 10) / 10;
  } finally {
    await stop(server);
  }
  if (size <= VERIFY_UP_TO) {
    const verdict = lastLine(await runScript(VERIFY_JS, backendEnv("graph", step.sqliteFile)));
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
async function dashboardPhase(
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
      };
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
      step.data = { from: totals.firstInitial, to: totals.lastInitial + 1 };

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

async function rebuildPhase(results: BenchResults, largest: number) {
  say(`rebuilding the graph from the log (${largest.toLocaleString("en-US")} events)`);
  let lastSaid = performance.now();
  const started = performance.now();
  const stdout = await rebuildScratchGraph((text: string) => {
    if (performance.now() - lastSaid < 15_000) return;
    lastSaid = performance.now();
    const progress = text
      .split("\r")
      .filter((part) => part.trim())
      .at(-1);
    if (progress) say(`  ${progress.trim()}`);
  });
  const wall = (performance.now() - started) / 1000;
  const match = /rebuilt the graph from (\d+) events in ([\d.]+) s/.exec(stdout);
  if (!match) throw new Error(`unexpected output from rebuild-cli: ${stdout}`);
  const [events, seconds] = [Number(match[1]), Number(match[2])];
  results.rebuild = { events, seconds };
  results.rebuild_events_per_s = Math.round(events / seconds);
  say(
    `rebuild: ${events} events in ${seconds.toFixed(1)} s (${results.rebuild_events_per_s} events/s; ` +
      `${wall.toFixed(1)} s with process start)`,
  );
  if (largest <= VERIFY_UP_TO) {
    const verdict = lastLine(await runScript(VERIFY_JS, backendEnv("graph", "")));
    results.checks.push(`after the rebuild: ${verdict}`);
  }
}

function writeOutputs(results: BenchResults, out: string) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const base = out.replace(/\.json$/, "");
  const svg = `${base}.svg`;
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(
    `${base}.md`,
    renderMarkdown(results, computeTargets(results), path.basename(svg)),
  );
  fs.writeFileSync(svg, renderChart(results.dashboard));
  say(`wrote ${out}, ${base}.md and ${svg}`);
}

async function main() {
  let settings: Settings;
  try {
    settings = parseSettings();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    console.error(USAGE);
    process.exit(2);
  }
  if (!fs.existsSync(MAIN_JS)) {
    console.error(`${MAIN_JS} is missing: build first (npm run build)`);
    process.exit(2);
  }
  const config = benchConfig();
  const graph = settings.backends.includes("graph");
  const cpus = os.cpus();
  const results: BenchResults = {
    started_at: new Date().toISOString(),
    finished_at: "",
    duration_s: 0,
    mode: settings.quick ? "quick" : "full",
    revision: revision(),
    sizes: settings.sizes,
    backends: settings.backends,
    machine: {
      cores: cpus.length,
      memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      cpu_model: cpus[0]?.model.trim() ?? "unknown",
      node_version: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      load_average: { start: os.loadavg()[0]!, end: null },
    },
    settings: {
      ingest_seconds: settings.ingestSeconds,
      ingest_warmup_seconds: settings.ingestWarmupSeconds,
      concurrencies: CONCURRENCIES,
      data_span_days: DATA_SPAN_DAYS,
      dashboard_samples: {
        symbol: settings.plans.graph.symbol.samples,
        range: settings.plans.graph.range.samples,
        budget_s: settings.plans.sqlite.range.budgetMs / 1000,
      },
      seed: settings.seed,
    },
    ingest: [],
    dashboard: [],
    skipped: [],
    loads: [],
    rebuild_events_per_s: null,
    rebuild: null,
    peak_rss_mb: {},
    checks: [],
  };

  let scratchLock: Awaited<ReturnType<typeof lockScratchStores>> = null;
  if (graph) {
    const problem = await storesProblem(config);
    if (problem) {
      console.error(
        `the graph backend needs the scratch stores: ${problem}\n` +
          "start them with `bash provision/services.sh start`, or leave graph out (--backends null,sqlite)",
      );
      process.exit(1);
    }
    scratchLock = await lockScratchStores(config, 5);
    if (!scratchLock) {
      console.error(
        `another run holds the scratch stores (MariaDB lock ${SCRATCH_LOCK}); try again when it has finished`,
      );
      process.exit(1);
    }
    const versions = await storeVersions(config);
    results.machine.mariadb_version = versions.mariadb;
    results.machine.neo4j_version = versions.neo4j;
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-bench-"));
  const cleanUp = async () => {
    await Promise.allSettled([...running].map((server) => stop(server)));
    fs.rmSync(tmp, { recursive: true, force: true });
    await scratchLock?.release();
    scratchLock = null;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the servers`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  say(
    `${results.mode} run: sizes ${settings.sizes.map(sizeLabel).join(", ")}; ` +
      `backends ${settings.backends.join(", ")}; results to ${settings.out}`,
  );
  let failure: unknown = null;
  try {
    if (settings.ingest) {
      if (graph) await resetStores(config);
      await ingestPhase(settings, results, tmp);
    }
    if (graph) await resetStores(config);
    await dashboardPhase(settings, results, config, tmp);
    if (graph && settings.rebuild) {
      // A failed rebuild is a result too; the measurements before it stand.
      await rebuildPhase(results, settings.sizes.at(-1)!).catch((error: unknown) => {
        results.rebuild_error = firstLines(error);
        say(`rebuild FAILED: ${results.rebuild_error}`);
      });
    }
  } catch (error) {
    failure = error;
    say(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    await cleanUp();
  }
  results.finished_at = new Date().toISOString();
  results.machine.load_average.end = os.loadavg()[0]!;
  results.duration_s = Math.round((performance.now() - benchStarted) / 100) / 10;
  if (failure) results.error = firstLines(failure);
  writeOutputs(results, settings.out);
  for (const target of computeTargets(results)) {
    const verdict = target.met === null ? "n/a" : target.met ? "met" : "MISSED";
    say(`target ${target.name} (${target.goal}): ${target.measured}; ${verdict}`);
  }
  process.exitCode = failure ? 1 : 0;
}

await main();
