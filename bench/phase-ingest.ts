import path from "node:path";
import type { Config } from "../lib/config.js";
import { waitUntilGraphCurrent } from "./bench-stores.js";
import { measureIngest } from "./ingest.js";
import type { Watched } from "./proc-stat.js";
import {
  backendEnv,
  firstLines,
  BARE_EXPRESS_JS,
  MAIN_JS,
  say,
  serve,
  stop,
  watchedProcesses,
  type StorePorts,
} from "./processes.js";
import {
  ingestLabel,
  type BenchResults,
  type Generator,
  type IngestBackend,
  type IngestRow,
  type ServerVariant,
} from "./results.js";
import { TARGET_CONCURRENCY, type Settings } from "./settings.js";
import { measureUnderLoad } from "./under-load.js";

/** One server measured by the ingest phase: a backend, with WORKERS, PROJECTOR or the defaults. */
interface IngestServer extends ServerVariant {
  backend: IngestBackend;
}

function servers(settings: Settings): IngestServer[] {
  const list: IngestServer[] = [{ backend: "bare-express" }];
  for (const backend of ["null", "sqlite", "graph"] as const) {
    if (settings.backends.includes(backend)) list.push({ backend });
  }
  if (settings.backends.includes("graph")) {
    for (const workers of settings.workers) list.push({ backend: "graph", workers });
    for (const projector of settings.projectors) list.push({ backend: "graph", projector });
  }
  return list;
}

function storePorts(config: Config): StorePorts {
  return { mariadb: config.mariadb.port, neo4j: Number(new URL(config.neo4j.uri).port || 7687) };
}

const cpuText = (row: IngestRow) => {
  const cpu = row.cpu_ms_per_request;
  if (!cpu) return "";
  const part = (name: string, value: number | null) =>
    value === null || !Number.isFinite(value) ? "" : ` ${name} ${(value * 1000).toFixed(0)}`;
  return (
    `; CPU µs/req:${part("api", cpu.api)}${part("mariadb", cpu.mariadb)}` +
    `${part("neo4j", cpu.neo4j)}${part(row.generator ?? "load", cpu.generator)}`
  );
};

/**
 * Every server in turn: wrk at each concurrency, then the Node client at c64, each point
 * repeated; on graph servers, then the dashboards under write load. The stores were emptied
 * before; what one server writes stays for the next.
 */
export async function ingestPhase(
  settings: Settings,
  results: BenchResults,
  config: Config,
  tmp: string,
) {
  const graphSince = Date.now() * 1000;
  const ports = settings.backends.includes("graph") ? storePorts(config) : null;
  let underLoadDone = false;
  for (const ingestServer of servers(settings)) {
    const { backend, workers = null, projector = null } = ingestServer;
    const label = ingestLabel(ingestServer);
    const env =
      backend === "bare-express"
        ? backendEnv("null", "", { workers })
        : backendEnv(backend, path.join(tmp, "ingest.sqlite"), { workers, projector });
    const server = await serve(label, backend === "bare-express" ? BARE_EXPRESS_JS : MAIN_JS, env);
    try {
      const watched = watchedProcesses(server, ports);
      const points: [Generator, number, number][] = settings.concurrencies.map((c) => [
        settings.wrk ? "wrk" : "node",
        c,
        settings.ingestRepeats,
      ]);
      if (settings.nodeClient && settings.wrk) {
        points.push(["node", TARGET_CONCURRENCY, settings.nodeClientRepeats]);
      }
      for (const [generator, concurrency, repeats] of points) {
        const result = await measureIngest(
          { url: server.url, watched },
          {
            generator,
            concurrency,
            seconds: settings.ingestSeconds,
            warmupSeconds: settings.ingestWarmupSeconds,
            repeats,
            seed: settings.seed * 100 + concurrency,
          },
        );
        const row: IngestRow = { backend, workers, projector, ...result };
        results.ingest.push(row);
        say(
          `ingest ${label} ${generator} c${concurrency}: ${row.rps.toFixed(0)} req/s ` +
            `(${row.rps_min!.toFixed(0)}–${row.rps_max!.toFixed(0)}, ${repeats} runs), ` +
            `p50 ${row.p50_ms.toFixed(2)} ms, p99 ${row.p99_ms.toFixed(2)} ms, ${row.errors} errors` +
            cpuText(row) +
            `; machine ${row.machine_busy_cores!.toFixed(2)} cores busy, ${row.other_cores!.toFixed(2)} by others` +
            (row.error_samples ? ` (${row.error_samples[0]})` : ""),
        );
      }
      results.peak_rss_mb[label] = Math.round(server.peakRssMb() * 10) / 10;
      if (backend === "graph" && settings.wrk && (!settings.quick || !underLoadDone)) {
        underLoadDone = true;
        const settle = async () => {
          await waitUntilGraphCurrent(config, {
            timeoutMs: 600_000,
            reportEveryMs: 15_000,
            report: (behind) => say(`  waiting for the graph to catch up: ${behind} events to go`),
          });
        };
        await underLoad(
          settings,
          results,
          { backend, workers, projector },
          server.url,
          watched,
          graphSince,
          settle,
        );
      }
    } finally {
      await stop(server);
    }
  }
}

/** The dashboards under write load on one graph server; a failure is recorded, not fatal. */
async function underLoad(
  settings: Settings,
  results: BenchResults,
  server: IngestServer,
  url: string,
  watched: Watched,
  since: number,
  settle: () => Promise<void>,
) {
  const label = ingestLabel(server);
  let measured: Awaited<ReturnType<typeof measureUnderLoad>>;
  try {
    measured = await measureUnderLoad({
      baseUrl: url,
      watched,
      since,
      idleSeconds: settings.underLoadIdleSeconds,
      idleSamples: settings.quick ? 20 : 100,
      settle,
      loadSeconds: settings.underLoadSeconds,
      seed: settings.seed,
    });
  } catch (error) {
    const reason = firstLines(error);
    (results.under_load_errors ??= []).push(`${label}: ${reason}`);
    say(`  ${label} dashboards under load FAILED: ${reason}`);
    return;
  }
  (results.under_load ??= []).push({
    backend: server.backend,
    workers: server.workers ?? null,
    projector: server.projector ?? null,
    ...measured,
  });
  for (const cell of measured.cells) {
    say(
      `  ${label} ${cell.endpoint} ${cell.load}: p50 ${cell.p50_ms.toFixed(2)} ms, ` +
        `p99 ${cell.p99_ms.toFixed(2)} ms (${cell.samples})`,
    );
  }
  say(
    `  ${label} under load: wrk ${measured.ingest_rps.toFixed(0)} req/s meanwhile, ` +
      `${measured.stale_reads} stale reads, ${measured.lost_probes} lost probes, ` +
      `${measured.failed_reads?.idle ?? 0} + ${measured.failed_reads?.loaded ?? 0} requests not answered 200` +
      (measured.failure_samples ? ` (${measured.failure_samples[0]})` : ""),
  );
}
