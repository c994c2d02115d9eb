import { parseArgs } from "node:util";
import { frequencyLetterStream } from "../lib/client/letter-stream.js";
import { loadConfig } from "../lib/config.js";
import { createMariadbPool } from "../lib/stores/mariadb.js";
import { seededRandom } from "../lib/model/random.js";
import { LogTruth } from "./log-truth.js";
import { checkDashboards, checkLog, readLogState, runProbeLoop } from "./probe.js";

// `tsx ops/probe-cli.ts [--url URL] [--seconds S]`: probes a running service with the original
// protocol until SIGTERM (or S seconds), then checks its dashboards and its MariaDB log (the one
// MARIADB_* names, as the service reads them) against what it sent. Prints JSON lines: one
// {"event":"started",…} once the log's state is read and the loop runs, one {"event":"result",…}
// at the end. Exit status 0 when there was no failure and everything matched, 1 otherwise.
const USAGE = `usage: tsx ops/probe-cli.ts [--url URL] [--seconds S] [--interval-ms MS]
  [--dashboard-every N] [--timeout-ms MS] [--settle-seconds S] [--seed N]`;

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    seconds: { type: "string" },
    "interval-ms": { type: "string", default: "100" },
    "dashboard-every": { type: "string", default: "10" },
    "timeout-ms": { type: "string", default: "10000" },
    "settle-seconds": { type: "string", default: "120" },
    seed: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!(value > 0)) {
    console.error(`--${name} must be a positive number, got "${raw}"\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

const config = loadConfig();
const baseUrl = values.url ?? `http://127.0.0.1:${config.port}`;
const seed = values.seed === undefined ? Date.now() : Number(values.seed);
const random = seededRandom(seed);
const stop = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => stop.abort());
if (values.seconds !== undefined) {
  setTimeout(() => stop.abort(), positive("seconds", values.seconds) * 1000).unref();
}

const emit = (record: object) => console.log(JSON.stringify(record));
const pool = createMariadbPool(config.mariadb);
try {
  const before = await readLogState(pool);
  emit({ event: "started", url: baseUrl, seed, log: before });
  const run = await runProbeLoop({
    baseUrl,
    letters: frequencyLetterStream(random),
    random,
    intervalMs: positive("interval-ms", values["interval-ms"]),
    dashboardEvery: Math.floor(positive("dashboard-every", values["dashboard-every"])),
    requestTimeoutMs: positive("timeout-ms", values["timeout-ms"]),
    signal: stop.signal,
  });
  const dashboards = await checkDashboards(
    baseUrl,
    run,
    new LogTruth(pool),
    positive("settle-seconds", values["settle-seconds"]) * 1000,
  );
  const log = await checkLog(pool, run, before);
  const followups = run.sessions.reduce((sum, session) => sum + session.followups, 0);
  const ok = run.failures === 0 && dashboards.equal && log.equal;
  const verdict =
    `probe: ${run.sessions.length} sessions, ${followups} followups, ` +
    `${run.dashboardReads} dashboard reads, ${run.failures} failures ` +
    `(max ${run.latencyMs.max.toFixed(0)} ms); dashboards ` +
    `${dashboards.equal ? "equal" : "differ from"} what was sent; the log's ` +
    `${log.newRows} new rows ${log.equal ? "are" : "are not"} the probe's ${log.expectedRows}`;
  emit({
    event: "result",
    ok,
    verdict,
    seconds: (run.endedAt - run.startedAt) / 1e6,
    sessions: run.sessions.length,
    followups,
    requests: run.requests,
    dashboardReads: run.dashboardReads,
    failures: run.failures,
    failureSamples: run.failureSamples,
    latencyMs: run.latencyMs,
    dashboards,
    log: { ...log, before },
  });
  process.exitCode = ok ? 0 : 1;
} catch (error) {
  emit({
    event: "error",
    ok: false,
    error: error instanceof Error ? error.message : String(error),
  });
  process.exitCode = 2;
} finally {
  await pool.end();
}
