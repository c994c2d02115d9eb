import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../lib/config.js";
import { scratchConfig } from "../scratch/scratch-stores.js";
import { holdScratchStores, resetStores, storesProblem, storeVersions } from "./bench-stores.js";
import { dashboardPhase } from "./phase-dashboards.js";
import { densePhase } from "./phase-dense.js";
import { ingestPhase } from "./phase-ingest.js";
import { rebuildPhase } from "./phase-rebuild.js";
import { firstLines, MAIN_JS, say, stopAll, elapsedSeconds } from "./processes.js";
import { writeOutputs } from "./report.js";
import type { BenchResults } from "./results.js";
import { DATA_SPAN_DAYS, parseSettings, USAGE, type Settings } from "./settings.js";
import { computeTargets, sizeLabel } from "./targets.js";
import { ensureWrk } from "./wrk-load.js";

/**
 * `npm run bench`: the phases in order (ingest with the dashboards under load, dense traffic,
 * dashboards by size, rebuild), each in its own module; this file parses the flags, takes the
 * scratch stores, runs the phases and writes the results.
 */

/** The commit of the code measured, or "unknown" outside a git checkout. */
function revision(): string {
  const git = (...args: string[]) =>
    spawnSync("git", ["-C", PROJECT_ROOT, ...args], { encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return "unknown";
  const dirty = git("status", "--porcelain", "--", "lib", "sql", "cypher").stdout.trim() !== "";
  return `${head.stdout.trim()}${dirty ? "+dirty" : ""}`;
}

function emptyResults(settings: Settings): BenchResults {
  const cpus = os.cpus();
  return {
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
      ingest_repeats: settings.ingestRepeats,
      concurrencies: settings.concurrencies,
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
}

function settingsOrExit(): Settings {
  let parsed: ReturnType<typeof parseSettings>;
  try {
    parsed = parseSettings();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    console.error(USAGE);
    process.exit(2);
  }
  if ("help" in parsed) {
    console.log(USAGE);
    process.exit(0);
  }
  if ("render" in parsed) {
    const results = JSON.parse(fs.readFileSync(parsed.render, "utf8")) as BenchResults;
    say(`wrote ${writeOutputs(results, parsed.render).join(", ")}`);
    process.exit(0);
  }
  return parsed;
}

async function main() {
  const settings = settingsOrExit();
  if (!fs.existsSync(MAIN_JS)) {
    console.error(`${MAIN_JS} is missing: build first (npm run build)`);
    process.exit(2);
  }
  const config = scratchConfig();
  const graph = settings.backends.includes("graph");
  const results = emptyResults(settings);

  if (settings.ingest) {
    const wrk = ensureWrk(say);
    if ("version" in wrk) {
      results.settings.wrk = wrk.version;
    } else {
      settings.wrk = false;
      results.checks.push(`wrk not used: ${wrk.missing}; the Node client drove every ingest point`);
      say(`WARNING: ${wrk.missing}; the Node client drives the ingest instead`);
    }
  }

  let scratchLock: { release(): Promise<void> } | null = null;
  if (graph) {
    const problem = await storesProblem(config);
    if (problem) {
      console.error(
        `the graph backend needs the scratch stores: ${problem}\n` +
          "start them with `bash provision/services.sh start`, or leave graph out (--backends null,sqlite)",
      );
      process.exit(1);
    }
    const held = await holdScratchStores(config, say);
    if ("refused" in held) {
      console.error(held.refused);
      process.exit(1);
    }
    scratchLock = held;
    const versions = await storeVersions(config);
    results.machine.mariadb_version = versions.mariadb;
    results.machine.neo4j_version = versions.neo4j;
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-bench-"));
  const cleanUp = async () => {
    await stopAll();
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
      await ingestPhase(settings, results, config, tmp);
    }
    if (graph && settings.dense) {
      // A failed dense phase is a result too; the phases after it still run.
      const dense = settings.dense;
      await resetStores(config)
        .then(() => densePhase(dense, settings.seed, results, config))
        .catch((error: unknown) => {
          results.dense_error = firstLines(error);
          say(`dense traffic FAILED: ${results.dense_error}`);
        });
    }
    if (settings.dashboards) {
      if (graph) await resetStores(config);
      await dashboardPhase(settings, results, config, tmp);
    }
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
  results.duration_s = Math.round(elapsedSeconds() * 10) / 10;
  if (failure) results.error = firstLines(failure);
  say(`wrote ${writeOutputs(results, settings.out).join(", ")}`);
  for (const target of computeTargets(results)) {
    const verdict = target.met === null ? "n/a" : target.met ? "met" : "MISSED";
    say(`target ${target.name} (${target.goal}): ${target.measured}; ${verdict}`);
  }
  process.exitCode = failure ? 1 : 0;
}

await main();
