import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { PROJECT_ROOT } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { scratchConfig } from "../../scratch/scratch-stores.js";
import {
  holdScratchStores,
  resetStores,
  storesProblem,
  waitUntilGraphCurrent,
} from "../bench-stores.js";
import { neo4jDataDir, neo4jDiskBytes } from "../neo4j-store.js";
import { pidListeningOn, processTree } from "../proc-stat.js";
import { backendEnv, MAIN_JS, say, serve, stopAll, VERIFY_JS } from "../processes.js";
import { runJson } from "../run-script.js";
import type { WindowReport } from "./paced-load.js";
import { soakChart, soakMarkdown, type SoakResults } from "./soak-report.js";
import { parseSoakArgs, SOAK_USAGE, SoakUsageError, type SoakSettings } from "./soak-settings.js";
import {
  checkLabel,
  checkPasses,
  errorCount,
  latencyStats,
  soakChecks,
  type Groups,
  type MinuteRow,
} from "./soak-stats.js";

/**
 * `npm run soak -- --minutes N`: the service under steady load for N minutes on the tests'
 * stores, measured minute by minute (see SOAK_USAGE and docs/soak.md).
 */

const PACED_LOAD_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), "paced-load.js");
const MINUTE_S = 60;
const MIB = 2 ** 20;

/** Resident memory of a process, MiB (VmRSS); 0 when it is gone. */
function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.setTimeout(30_000, () => request.destroy(new Error("no answer within 30 s")));
    request.on("error", reject);
  });
}

/** What the parent measures in one minute besides the load: reads, /readyz, the lag. */
function freshMinute() {
  return {
    reads: [] as number[],
    readErrors: 0,
    readyzErrors: 0,
    lagEvents: null as number | null,
    lagSeconds: null as number | null,
    samples: [] as string[],
  };
}

function revision(): string {
  const head = spawnSync("git", ["-C", PROJECT_ROOT, "rev-parse", "--short", "HEAD"], {
    encoding: "utf8",
  });
  return head.status === 0 ? head.stdout.trim() : "unknown";
}

async function soak(settings: SoakSettings, results: SoakResults): Promise<void> {
  const config = scratchConfig();
  const problem = await storesProblem(config);
  if (problem) throw new Error(`the soak needs the tests' stores: ${problem}`);
  const held = await holdScratchStores(config, say);
  if ("refused" in held) throw new Error(held.refused);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-soak-"));
  const pool = createMariadbPool(config.mariadb);
  try {
    say("emptying the tests' stores");
    await resetStores(config);
    const server = await serve(
      "graph",
      MAIN_JS,
      backendEnv("graph", path.join(tmp, "unused.sqlite")),
    );
    // The load starts once the service says it is ready (its graph current): a cold start is
    // not what the soak measures.
    const readyBy = performance.now() + 300_000;
    while ((await get(`${server.url}/readyz`).catch(() => ({ status: 0 }))).status !== 200) {
      if (performance.now() > readyBy) throw new Error("the service was not ready within 300 s");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const mariadbPid = pidListeningOn(config.mariadb.port);
    const neo4jPort = Number(new URL(config.neo4j.uri.replace(/^bolt/, "http")).port);
    say(
      `service ${server.url} (pid ${server.pid}); ${settings.rate} req/s for ${settings.minutes} min`,
    );

    const load = spawn(
      process.execPath,
      [
        PACED_LOAD_JS,
        server.url,
        String(settings.rate),
        String(settings.minutes * MINUTE_S),
        String(MINUTE_S),
        "1",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const started = performance.now();
    const minuteNow = () => Math.floor((performance.now() - started) / (MINUTE_S * 1000)) + 1;
    const minutes = new Map<number, ReturnType<typeof freshMinute>>();
    const minute = () => {
      const m = minuteNow();
      if (!minutes.has(m)) minutes.set(m, freshMinute());
      return minutes.get(m)!;
    };
    let loading = true;
    const loadEnded = new Promise<number | null>((resolve) =>
      load.once("exit", (code) => resolve(code)),
    );
    void loadEnded.then(() => (loading = false));

    // A dashboard reader: a symbol, the last hour, the last half hour by minute, in turn.
    const reader = (async () => {
      for (let i = 0; loading; i++) {
        const now = Date.now();
        const paths = [
          `/dashboard/symbol/${SYMBOLS[i % SYMBOLS.length]}`,
          `/dashboard/range/${new Date(now - 3600_000).toISOString()}/${new Date(now + 60_000).toISOString()}`,
          `/dashboard/series/${new Date(now - 1800_000).toISOString()}/${new Date(now + 60_000).toISOString()}?grain=minute`,
        ];
        const bucket = minute();
        const t0 = performance.now();
        try {
          const reply = await get(server.url + paths[i % paths.length]);
          bucket.reads.push(performance.now() - t0);
          if (reply.status !== 200) {
            bucket.readErrors++;
            if (bucket.samples.length < 3)
              bucket.samples.push(`${reply.status} ${reply.body.slice(0, 200)}`);
          }
        } catch (error) {
          bucket.reads.push(performance.now() - t0);
          bucket.readErrors++;
          if (bucket.samples.length < 3) bucket.samples.push(String(error));
          // A refused connection answers at once: no faster than ten tries a second.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    })();
    // /readyz once a second: not ready is an error; its lag figures are the projection's.
    const readyz = (async () => {
      while (loading) {
        const bucket = minute();
        try {
          const reply = await get(`${server.url}/readyz`);
          if (reply.status !== 200) bucket.readyzErrors++;
          const lag = (
            JSON.parse(reply.body) as {
              projection?: { lagEvents: number | null; lagSeconds: number | null };
            }
          ).projection;
          if (typeof lag?.lagEvents === "number")
            bucket.lagEvents = Math.max(bucket.lagEvents ?? 0, lag.lagEvents);
          if (typeof lag?.lagSeconds === "number")
            bucket.lagSeconds = Math.max(bucket.lagSeconds ?? 0, lag.lagSeconds);
        } catch {
          bucket.readyzErrors++;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();

    const sample = async (window: WindowReport): Promise<MinuteRow> => {
      const parent = minutes.get(window.window) ?? freshMinute();
      const rss: Groups = {
        api: processTree(server.pid).reduce((sum, pid) => sum + rssMb(pid), 0),
      };
      const neo4jPid = pidListeningOn(neo4jPort);
      if (mariadbPid !== null) rss.mariadb = rssMb(mariadbPid);
      if (neo4jPid !== null) rss.neo4j = rssMb(neo4jPid);
      const disk: Groups = {};
      const [rows] = await pool.query(
        "SELECT COALESCE(SUM(data_length + index_length), 0) AS bytes FROM information_schema.TABLES WHERE table_schema = DATABASE()",
      );
      disk.mariadb = Number((rows as { bytes: number }[])[0]!.bytes) / MIB;
      const dataDir = neo4jPid === null ? null : neo4jDataDir(neo4jPid);
      if (dataDir) {
        try {
          const bytes = neo4jDiskBytes(dataDir);
          disk.neo4j = ((bytes.store ?? 0) + (bytes.transactionLogs ?? 0)) / MIB;
        } catch {
          // not readable by this account: left out
        }
      }
      const row: MinuteRow = {
        minute: window.window,
        ingest: window.latency,
        reads: latencyStats(parent.reads),
        errors: {
          ingest: window.errors,
          dropped: window.dropped,
          reads: parent.readErrors,
          readyz: parent.readyzErrors,
        },
        lag: { events: parent.lagEvents, seconds: parent.lagSeconds },
        rss_mb: rss,
        disk_mb: disk,
      };
      const samples = [...window.error_samples, ...parent.samples];
      say(
        `minute ${row.minute}: ${(window.requests / MINUTE_S).toFixed(0)} req/s, ingest p99 ` +
          `${row.ingest.p99_ms.toFixed(1)} ms, read p99 ${row.reads.p99_ms.toFixed(1)} ms, errors ` +
          `${errorCount(row)} (${Object.entries(row.errors)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")})${samples.length ? ` e.g. ${samples[0]}` : ""}, ` +
          `RSS ${Object.entries(rss)
            .map(([k, v]) => `${k} ${v.toFixed(0)}`)
            .join(" ")} MiB`,
      );
      return row;
    };
    for await (const line of readline.createInterface({ input: load.stdout })) {
      if (line.startsWith("{")) results.rows.push(await sample(JSON.parse(line) as WindowReport));
    }
    const code = await loadEnded;
    await Promise.all([reader, readyz]);
    if (code !== 0) throw new Error(`the load generator exited with ${code}`);

    say("waiting for the graph to hold every event, then verifying it against the log");
    await waitUntilGraphCurrent(config, {
      timeoutMs: 600_000,
      reportEveryMs: 15_000,
      report: (behind) => say(`  ${behind} events behind`),
    });
    results.verify = await runJson(VERIFY_JS, backendEnv("graph", ""), ["--json"]);
  } finally {
    await stopAll();
    await pool.end();
    fs.rmSync(tmp, { recursive: true, force: true });
    await held.release();
  }
}

async function main() {
  let settings: SoakSettings | "help";
  try {
    settings = parseSoakArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof SoakUsageError)) throw error;
    console.error(`${error.message}\n\n${SOAK_USAGE}`);
    process.exit(2);
  }
  if (settings === "help") {
    console.log(SOAK_USAGE);
    return;
  }
  if (!fs.existsSync(MAIN_JS)) {
    console.error(`${MAIN_JS} is missing: build first (npm run build)`);
    process.exit(2);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  }
  const results: SoakResults = {
    started_at: new Date().toISOString(),
    finished_at: "",
    revision: revision(),
    minutes: settings.minutes,
    warmup_minutes: settings.warmupMinutes,
    rate: settings.rate,
    rate_source: settings.rateSource,
    machine: {
      cores: os.cpus().length,
      memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      load_average_start: os.loadavg()[0]!,
      load_average_end: 0,
    },
    rows: [],
    verify: null,
    checks: [],
  };
  try {
    await soak(settings, results);
  } catch (error) {
    results.error = error instanceof Error ? error.message : String(error);
    say(`FAILED: ${results.error}`);
  }
  results.finished_at = new Date().toISOString();
  results.machine.load_average_end = os.loadavg()[0]!;
  results.checks = soakChecks(results.rows, settings.warmupMinutes, { smoke: settings.smoke });
  if (results.verify) {
    results.checks.push({
      name: "graph equals the log",
      met: results.verify.equal,
      detail: `${results.verify.differences} differences in ${results.verify.questions} answers`,
    });
  }
  fs.mkdirSync(path.dirname(settings.out), { recursive: true });
  const base = settings.out.replace(/\.json$/, "");
  fs.writeFileSync(settings.out, JSON.stringify(results, null, 2) + "\n");
  fs.writeFileSync(`${base}.md`, soakMarkdown(results));
  fs.writeFileSync(`${base}.svg`, soakChart(results.rows));
  say(`wrote ${settings.out}, ${base}.md, ${base}.svg`);
  for (const check of results.checks) say(`${checkLabel(check)}: ${check.name}: ${check.detail}`);
  const passed = !results.error && results.verify !== null && results.checks.every(checkPasses);
  process.exitCode = passed ? 0 : 1;
}

await main();
