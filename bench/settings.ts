import path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../lib/config.js";
import { MICROS_PER_DAY, MICROS_PER_MINUTE } from "../lib/model/timestamp.js";
import type { SamplePlan } from "./dashboard-latency.js";
import type { Backend, ProjectorPlace } from "./results.js";

/** The bench's flags, parsed and checked: what one run does. */

export const USAGE = `usage: npm run bench -- [options]     (or: node dist/bench/run.js [options] after a build)

  --quick              smoke run in a few minutes (CI): size 10^4, ingest at c64 only, 3 s per
                       run, few samples; writes bench/results/quick.* unless --out
  --sizes LIST         stored-event sizes, e.g. 1e4,1e5 (default 1e4,1e5,1e6,1e7)
  --backends LIST      subset of null,sqlite,graph (default all three; bare Express comes with ingest)
  --workers LIST       WORKERS values for the extra graph ingest rows beside the default
                       (WORKERS unset: one per core); default 1,2 (quick: 1); "" for none
  --projectors LIST    PROJECTOR values for extra graph rows beside the default (worker), each
                       with its own ingest and dashboards under load; default process (quick: none)
  --repeats N          measured runs per ingest point (default 3): median and min–max reported
  --concurrency LIST   wrk's ingest concurrencies (default 1,16,64; quick: 64)
  --no-node-client     leave out the Node client's ingest row (wrk only)
  --no-ingest          skip the ingest phase (and the dashboards under load)
  --no-dashboards      skip the dashboards-by-size phase (and the rebuild, which uses its data)
  --no-rebuild         skip the rebuild measurement
  --dense-minute N     initials in one minute of the largest size's data, measured with ranges
                       around it (default 120000; quick: 2000; 0 for none)
  --no-dense           skip the dense-traffic phase (its own data set fed through the graph
                       backend: projection CPU per event, store size, range latency)
  --seed N             seed of the generated data and of the load's letters (default 1)
  --out FILE           results JSON (default bench/results/latest.json); the Markdown report and
                       the SVG chart are written beside it with .md and .svg
  --render FILE        only rewrite the .md and .svg of an existing results JSON

Ingest is driven by wrk (installed with apt-get when missing and the bench runs as root; WRK
names another binary). The graph backend uses the scratch stores of the tests (MariaDB og_test on
the tests' server, port 3307, Neo4j on Bolt 7688; MARIADB_TEST_HOST / MARIADB_TEST_PORT /
MARIADB_TEST_DATABASE / NEO4J_TEST_URI override), which the bench empties first.`;

export const BACKENDS: readonly Backend[] = ["null", "sqlite", "graph"];
/** Every size gets the same span, so density grows with size. */
export const DATA_SPAN_DAYS = 30;
export const DATA_START = Date.UTC(2017, 5, 1) * 1000;
/**
 * The minute of dense traffic in the largest size's data (and what the range cases around it
 * are placed by): in the middle of the span, on a minute boundary.
 */
export const DENSE_MINUTE = DATA_START + 14 * MICROS_PER_DAY + (13 * 60 + 37) * MICROS_PER_MINUTE;
/** The sqlite baseline is always measured up to here… */
export const SQLITE_ALWAYS_UP_TO = 1e6;
/** …and beyond only while its slowest request is predicted (linear in size) to stay under this. */
export const SQLITE_MAX_PREDICTED_REQUEST_S = 20;
/** Verifying the graph against SQL over the log scans it; cheap only for small logs. */
export const VERIFY_UP_TO = 1e5;
/** The concurrency the targets and the Node client's row and the dashboards-under-load use. */
export const TARGET_CONCURRENCY = 64;

export interface Settings {
  quick: boolean;
  sizes: number[];
  backends: Backend[];
  /** WORKERS of the extra graph ingest rows. */
  workers: number[];
  /** PROJECTOR of the extra graph rows (ingest and dashboards under load). */
  projectors: ProjectorPlace[];
  ingest: boolean;
  dashboards: boolean;
  nodeClient: boolean;
  /** Set by the preflight: whether wrk can be run (else the Node client drives every point). */
  wrk: boolean;
  rebuild: boolean;
  /** Initials in the dense minute of the largest size (0: none). */
  denseMinuteInitials: number;
  /** The dense-traffic phase (bench/dense-range.ts), or null to skip it. */
  dense: { initials: number; background: number; samples: number } | null;
  seed: number;
  out: string;
  concurrencies: number[];
  ingestSeconds: number;
  ingestWarmupSeconds: number;
  ingestRepeats: number;
  nodeClientRepeats: number;
  /** Dashboards under load: idle reads for this long, then reads during a wrk run this long. */
  underLoadIdleSeconds: number;
  underLoadSeconds: number;
  /** Per endpoint; the sqlite baseline's are bounded by time as well. */
  plans: Record<Backend, Record<"symbol" | "range", SamplePlan>>;
}

function list<T>(flag: string, text: string, parse: (item: string) => T): T[] {
  return text
    .split(",")
    .filter((item) => item.trim() !== "")
    .map((item) => {
      try {
        return parse(item.trim());
      } catch (error) {
        throw new Error(`--${flag}: ${(error as Error).message}`);
      }
    });
}

/** The run's settings, or `{ render }` for --render, `{ help }` for --help; throws on bad flags. */
export function parseSettings(
  argv: string[] = process.argv.slice(2),
): Settings | { render: string } | { help: true } {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      backends: { type: "string" },
      workers: { type: "string" },
      projectors: { type: "string" },
      repeats: { type: "string", default: "3" },
      concurrency: { type: "string" },
      "no-node-client": { type: "boolean", default: false },
      "no-ingest": { type: "boolean", default: false },
      "no-dashboards": { type: "boolean", default: false },
      "no-rebuild": { type: "boolean", default: false },
      "dense-minute": { type: "string" },
      "no-dense": { type: "boolean", default: false },
      seed: { type: "string", default: "1" },
      out: { type: "string" },
      render: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return { help: true };
  if (values.render) return { render: path.resolve(values.render) };
  const quick = values.quick;
  const sizes = values.sizes
    ? list("sizes", values.sizes, (text) => {
        const size = Number(text);
        if (!Number.isInteger(size) || size < 100) {
          throw new Error(`"${text}" is not a whole number of events of at least 100`);
        }
        return size;
      })
    : quick
      ? [1e4]
      : [1e4, 1e5, 1e6, 1e7];
  const backends = values.backends
    ? list("backends", values.backends, (name) => {
        if (!(BACKENDS as readonly string[]).includes(name)) {
          throw new Error(`"${name}" is not one of ${BACKENDS.join(", ")}`);
        }
        return name as Backend;
      })
    : [...BACKENDS];
  // The server's default is WORKERS=cores: the default row is that; the others add to it.
  const workers = list("workers", values.workers ?? (quick ? "1" : "1,2"), (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`"${text}" is not a whole number ≥ 1`);
    return n;
  });
  const projectors = list("projectors", values.projectors ?? (quick ? "" : "process"), (text) => {
    if (text !== "process" && text !== "worker") {
      throw new Error(`"${text}" is not a PROJECTOR value: process or worker`);
    }
    return text;
  });
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new Error(`--repeats must be a whole number ≥ 1, got "${values.repeats}"`);
  }
  const denseMinuteInitials = Number(values["dense-minute"] ?? (quick ? 2000 : 120_000));
  if (!Number.isInteger(denseMinuteInitials) || denseMinuteInitials < 0) {
    throw new Error(`--dense-minute must be a whole number ≥ 0, got "${values["dense-minute"]}"`);
  }
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
    workers: [...new Set(workers)],
    projectors: [...new Set(projectors)],
    ingest: !values["no-ingest"],
    dashboards: !values["no-dashboards"],
    nodeClient: !values["no-node-client"],
    wrk: true,
    rebuild: !values["no-rebuild"] && !values["no-dashboards"],
    denseMinuteInitials,
    // docs/performance.md's dense-traffic table: 120,000 initials in a minute over 50,000 sessions in 30 days.
    dense: values["no-dense"]
      ? null
      : quick
        ? { initials: 2000, background: 2000, samples: 50 }
        : { initials: 120_000, background: 50_000, samples: 500 },
    seed,
    out,
    concurrencies: values.concurrency
      ? list("concurrency", values.concurrency, (text) => {
          const c = Number(text);
          if (!Number.isInteger(c) || c < 1 || c > 1000)
            throw new Error(`"${text}" is not 1..1000`);
          return c;
        })
      : quick
        ? [TARGET_CONCURRENCY]
        : [1, 16, TARGET_CONCURRENCY],
    ingestSeconds: quick ? 3 : 10,
    ingestWarmupSeconds: quick ? 1 : 3,
    ingestRepeats: repeats,
    // The Node client's row is the comparison, not the measurement: once in a smoke run.
    nodeClientRepeats: quick ? 1 : repeats,
    underLoadIdleSeconds: quick ? 2 : 5,
    underLoadSeconds: quick ? 8 : 20,
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
