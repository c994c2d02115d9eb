import cluster, { type Worker } from "node:cluster";
import type { Config } from "./config.js";
import { relayPeers } from "./projection/projection-peers.js";
import { serveClusterMetrics } from "./telemetry/cluster-metrics.js";

/** A worker gets this long to drain after SIGTERM before it is killed. */
const WORKER_STOP_MS = 15_000;
/** A worker that dies sooner than this after starting is restarted after RESTART_DELAY_MS. */
const QUICK_DEATH_MS = 5000;
const RESTART_DELAY_MS = 1000;

/** The environment variable that tells a forked process what it is: "api" or "projector". */
export const PROCESS_ROLE = "VOWELGRAPH_PROCESS_ROLE";
type Role = "api" | "projector";

/**
 * Whether the main process supervises workers: several API processes (`WORKERS` > 1), or the
 * graph backend's projectors in a process of their own (PROJECTOR=process).
 */
export function usesSupervisor(config: Config): boolean {
  return config.workers > 1 || runsProjectorProcess(config);
}

function runsProjectorProcess(config: Config): boolean {
  return config.dataInterface === "graph" && config.projector === "process";
}

/**
 * The main process of a supervised service: forks `WORKERS` API processes, which share the
 * port (node:cluster hands connections out), and under PROJECTOR=process one projector
 * process; restarts one that dies, in its role; on SIGTERM or SIGINT has them all drain, then
 * exits. It opens no store itself; it gathers the workers' metrics for whichever of them is
 * asked for GET /metrics, and passes the projection's news between them.
 */
export function supervise(config: Config): void {
  let stopping = false;
  const roles = new Map<Worker, Role>();
  const metrics = serveClusterMetrics({ isApi: (worker) => roles.get(worker) === "api" });
  relayPeers();
  const started = new Map<Worker, number>();

  const fork = (role: Role) => {
    const worker = cluster.fork({ [PROCESS_ROLE]: role });
    roles.set(worker, role);
    started.set(worker, Date.now());
    worker.on("exit", (code, signal) => {
      const lived = Date.now() - (started.get(worker) ?? 0);
      started.delete(worker);
      roles.delete(worker);
      if (stopping) {
        if (started.size === 0) process.exit(0);
        return;
      }
      const what = role === "api" ? "worker" : "projector";
      console.error(
        `${what} ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`,
      );
      metrics.workerRestarted(role);
      if (lived < QUICK_DEATH_MS) setTimeout(() => fork(role), RESTART_DELAY_MS);
      else fork(role);
    });
  };
  for (let i = 0; i < config.workers; i++) fork("api");
  if (runsProjectorProcess(config)) fork("projector");

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: draining ${started.size} workers`);
    if (started.size === 0) process.exit(0);
    for (const worker of started.keys()) worker.process.kill("SIGTERM");
    setTimeout(() => {
      for (const worker of started.keys()) worker.process.kill("SIGKILL");
      process.exit(1);
    }, WORKER_STOP_MS).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
