import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Config } from "../lib/config.js";
import { percentile } from "../lib/client/load-client.js";
import { openGraphBackend, type GraphBackend } from "../lib/backend/graph-backend.js";
import { createMariadbPool, dropEventLog } from "../lib/stores/mariadb.js";
import { createNeo4jDriver, wipeGraph } from "../lib/stores/neo4j.js";
import { seededRandom, type RandomSource } from "../lib/model/random.js";
import { SYMBOLS } from "../lib/model/symbols.js";
import {
  MICROS_PER_DAY,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  parseTimestamp,
  type Micros,
} from "../lib/model/timestamp.js";
import { LogTruth } from "../ops/log-truth.js";
import { scratchConfig } from "../scratch/scratch-stores.js";
import { randomDenseRange, type DenseSpan } from "./dashboard-latency.js";
import { neo4jDataDir, neo4jDiskBytes } from "./neo4j-store.js";
import { cpuSecondsOf, pidListeningOn } from "./proc-stat.js";

/**
 * The dense-traffic range case (issue 13): one minute holding `denseInitials` initials over a
 * sparse 30-day background, fed through the graph backend with a replay clock (the log, the
 * projection and the graph are the product's; only HTTP is left out). Measures, in one run, what
 * the projection costs (Neo4j's CPU per applied event, from /proc), what the graph stores
 * (nodes by kind and grain, bytes on disk) and range latency: a one-day range against ranges
 * with microsecond bounds inside and across the dense minute.
 */
export interface DenseRangeOptions {
  config: Config;
  /** Initials inside the dense minute. */
  denseInitials: number;
  /** Sessions spread over the 30 days around it. */
  backgroundSessions: number;
  /** Timed reads per range case (after `warmup` untimed ones). */
  samples: number;
  warmup: number;
  seed: number;
  /** The Neo4j server's JVM (default: whoever listens on the Bolt port) and its data directory. */
  neo4jPid?: number;
  neo4jDataDir?: string;
  log?: (line: string) => void;
}

export interface RangeCase {
  name: string;
  p50_ms: number;
  p99_ms: number;
  samples: number;
}

export interface DenseRangeResult {
  events: { initials: number; followups: number; denseMinuteInitials: number };
  feed: { seconds: number; eventsPerSecond: number };
  /** Neo4j JVM CPU (user + system) from the first write until the graph was current. */
  neo4jCpuSeconds: number | null;
  neo4jCpuMicrosPerEvent: number | null;
  nodes: Record<string, number>;
  /**
   * `du` of the store files and of the transaction logs beside them, as they are on disk (Neo4j
   * writes the store at its next checkpoint: stop the server first for a settled figure).
   */
  storeBytes: number | null;
  transactionLogBytes: number | null;
  ranges: RangeCase[];
  /** Each case's p50 over the aligned one-day range's. */
  ratioToDay: Record<string, number>;
  /** Ranges checked against SQL over the log; all must be equal. */
  checkedAgainstSql: number;
}

const BACKGROUND_START = parseTimestamp("2017-06-28")!;
const BACKGROUND_DAYS = 30;
/** The dense minute: in the middle of the background's span. */
const DENSE_MINUTE = parseTimestamp("2017-07-12 13:37:00")!;

interface Event {
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  guess: boolean;
  at: Micros;
}

/** Background sessions and the dense minute's; one in seven gets a followup 2 s–4 h later. */
function generate(options: DenseRangeOptions, random: RandomSource): Event[] {
  const events: Event[] = [];
  const session = (at: Micros) => {
    const s = {
      uuid: randomUUID(),
      symbol: SYMBOLS[Math.floor(random() * SYMBOLS.length)]!,
      guess: random() < 0.5,
    };
    events.push({ kind: "initial", ...s, at });
    if (random() < 1 / 7) {
      const delay = 2 * MICROS_PER_SECOND * Math.exp(random() * Math.log(7200));
      events.push({ kind: "followup", ...s, at: at + Math.floor(delay) });
    }
  };
  const span = BACKGROUND_DAYS * MICROS_PER_DAY;
  for (let i = 0; i < options.backgroundSessions; i++) {
    session(BACKGROUND_START + Math.floor(random() * span));
  }
  for (let i = 0; i < options.denseInitials; i++) {
    session(DENSE_MINUTE + Math.floor(random() * MICROS_PER_MINUTE));
  }
  return events.sort((a, b) => a.at - b.at);
}

/** Empties the log and the graph (small graphs only: deletion goes through Cypher). */
async function emptyStores(config: Config): Promise<void> {
  const pool = createMariadbPool(config.mariadb);
  const driver = createNeo4jDriver(config.neo4j);
  try {
    await dropEventLog(pool);
    const session = driver.session();
    try {
      await session.run("MATCH (p:Projection) DELETE p");
      await wipeGraph(session);
    } finally {
      await session.close();
    }
  } finally {
    await pool.end();
    await driver.close();
  }
}

/**
 * Sends the events in time order, `window` at a time, each stamped with its own time by the
 * replay clock (read synchronously inside the call). A window that fails (a shared MariaDB
 * past its 5 s query timeout) is sent again: an initial's retry is a no-op, a followup's may
 * log it twice, which the graph then counts twice as well (the check is graph against log).
 */
async function feed(backend: GraphBackend, stamp: (e: Event) => void, events: Event[]) {
  const window = 250;
  for (let i = 0; i < events.length; i += window) {
    let pending = events.slice(i, i + window);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const results = await Promise.allSettled(
        pending.map((e) => {
          stamp(e);
          return e.kind === "initial"
            ? backend.logInitial(e.uuid, e.symbol, e.guess)
            : backend.logFollowup(e.uuid);
        }),
      );
      const failed = pending.filter((_, k) => results[k]!.status === "rejected");
      if (failed.length > 0 && attempt === 5) {
        throw (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
      }
      pending = failed;
    }
  }
  for (;;) {
    if ((await backend.graphLag()).every(({ behind }) => behind === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function graphCounts(config: Config) {
  const driver = createNeo4jDriver(config.neo4j);
  const session = driver.session();
  try {
    const nodes: Record<string, number> = {};
    const sessions = await session.run("MATCH (s:Session) RETURN count(s) AS n");
    nodes.Session = Number(sessions.records[0]!.get("n"));
    const buckets = await session.run(
      "MATCH (b:Bucket) RETURN b.grain AS grain, count(b) AS n ORDER BY n",
    );
    for (const r of buckets.records) nodes[`Bucket ${r.get("grain")}`] = Number(r.get("n"));
    nodes["Bucket (all)"] = buckets.records.reduce((n, r) => n + Number(r.get("n")), 0);
    return nodes;
  } finally {
    await session.close();
    await driver.close();
  }
}

const uniform = (random: RandomSource, from: number, to: number) =>
  Math.floor(from + random() * (to - from));

/** The range cases: each draws fresh bounds per request. */
function rangeCases(random: RandomSource): { name: string; next: () => [Micros, Micros] }[] {
  const dense = (span: DenseSpan) => randomDenseRange(span, DENSE_MINUTE, random);
  const lastDay = BACKGROUND_START + (BACKGROUND_DAYS - 1) * MICROS_PER_DAY;
  return [
    {
      name: "one day, date bounds",
      next: () => {
        const day = BACKGROUND_START + uniform(random, 0, BACKGROUND_DAYS) * MICROS_PER_DAY;
        return [day, day + MICROS_PER_DAY];
      },
    },
    {
      name: "one day, µs bounds",
      next: () => {
        const lower = uniform(random, BACKGROUND_START, lastDay);
        return [lower, lower + MICROS_PER_DAY];
      },
    },
    { name: "inside the dense minute, µs bounds", next: () => dense("dense minute") },
    { name: "dense minute to hours later, µs bounds", next: () => dense("dense to hours") },
    {
      name: "days before to inside the dense minute, µs bounds",
      next: () => dense("days to dense"),
    },
    {
      name: "all 30 days, µs bounds",
      next: () => [
        uniform(random, BACKGROUND_START, BACKGROUND_START + MICROS_PER_MINUTE),
        uniform(random, lastDay + MICROS_PER_DAY - MICROS_PER_MINUTE, lastDay + MICROS_PER_DAY),
      ],
    },
  ];
}

export async function measureDenseRange(options: DenseRangeOptions): Promise<DenseRangeResult> {
  const log = options.log ?? (() => {});
  const random = seededRandom(options.seed);
  const { config } = options;
  const boltPort = Number(new URL(config.neo4j.uri).port || 7687);
  const pid = options.neo4jPid ?? pidListeningOn(boltPort);
  const dataDir = options.neo4jDataDir ?? (pid === null ? null : neo4jDataDir(pid));

  const events = generate(options, random);
  const initials = events.filter((e) => e.kind === "initial").length;
  log(`dense-range: ${events.length} events (${initials} initials), emptying the stores`);
  await emptyStores(config);

  let now = 0;
  const backend = await openGraphBackend(config, { clock: () => now });
  const result = {} as DenseRangeResult;
  try {
    const cpuBefore = pid === null ? null : cpuSecondsOf(pid);
    const started = performance.now();
    await feed(backend, (e) => (now = e.at), events);
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = pid === null ? null : cpuSecondsOf(pid);
    const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    log(`dense-range: fed and projected in ${seconds.toFixed(1)} s, Neo4j CPU ${cpu} s`);
    result.events = {
      initials,
      followups: events.length - initials,
      denseMinuteInitials: options.denseInitials,
    };
    result.feed = { seconds, eventsPerSecond: Math.round(events.length / seconds) };
    result.neo4jCpuSeconds = cpu;
    result.neo4jCpuMicrosPerEvent = cpu === null ? null : Math.round((cpu / events.length) * 1e6);

    result.nodes = await graphCounts(config);
    const disk = dataDir === null ? null : neo4jDiskBytes(dataDir);
    result.storeBytes = disk?.store ?? null;
    result.transactionLogBytes = disk?.transactionLogs ?? null;

    const truth = new LogTruth(backend.pool);
    const cases = rangeCases(random);
    result.checkedAgainstSql = 0;
    for (const range of cases) {
      for (let i = 0; i < 3; i++) {
        const [lower, upper] = range.next();
        const [graph, sql] = await Promise.all([
          backend.rangeAggregates(lower, upper),
          truth.rangeAggregates(lower, upper),
        ]);
        if (JSON.stringify(graph) !== JSON.stringify(sql)) {
          throw new Error(`${range.name} [${lower}, ${upper}): the graph differs from SQL`);
        }
        result.checkedAgainstSql++;
      }
    }
    // Round robin, one read of each case per round, so that the load of a shared machine falls
    // on every case alike and the ratios hold even when the absolute figures drift.
    const latencies = cases.map((): number[] => []);
    for (let round = -options.warmup; round < options.samples; round++) {
      for (const [i, range] of cases.entries()) {
        const [lower, upper] = range.next();
        const t = performance.now();
        await backend.rangeAggregates(lower, upper);
        if (round >= 0) latencies[i]!.push(performance.now() - t);
      }
    }
    result.ranges = cases.map((range, i) => {
      const sorted = latencies[i]!.sort((a, b) => a - b);
      const row = {
        name: range.name,
        p50_ms: Number(percentile(sorted, 50).toFixed(3)),
        p99_ms: Number(percentile(sorted, 99).toFixed(3)),
        samples: sorted.length,
      };
      log(`dense-range: ${row.name}: p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms`);
      return row;
    });
    const day = result.ranges[0]!.p50_ms;
    result.ratioToDay = Object.fromEntries(
      result.ranges.map((r) => [r.name, Number((r.p50_ms / day).toFixed(2))]),
    );
    return result;
  } finally {
    await backend.close();
  }
}

const USAGE = `usage: node dist/bench/dense-range.js [options]   (after npm run build)

  --dense N        initials inside the dense minute (default 120000)
  --background N   sessions over the 30 days around it (default 50000)
  --samples N      timed reads per range case (default 500; warm-up: a fifth of it)
  --seed N         (default 1)
  --out FILE       also write the JSON result there

Empties and uses the scratch stores of the tests (MARIADB_TEST_DATABASE, NEO4J_TEST_URI).
Prints the result as JSON.`;

async function main() {
  const { values } = parseArgs({
    options: {
      dense: { type: "string", default: "120000" },
      background: { type: "string", default: "50000" },
      samples: { type: "string", default: "500" },
      seed: { type: "string", default: "1" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const samples = Number(values.samples);
  const result = await measureDenseRange({
    config: scratchConfig(),
    denseInitials: Number(values.dense),
    backgroundSessions: Number(values.background),
    samples,
    warmup: Math.ceil(samples / 5),
    seed: Number(values.seed),
    log: (line) => console.error(line),
  });
  const json = JSON.stringify(result, null, 2);
  if (values.out) fs.writeFileSync(values.out, json + "\n");
  console.log(json);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
