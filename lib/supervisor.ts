import cluster, { type Worker } from "node:cluster";
import { relayPeers } from "./projection/projection-peers.js";
import { serveClusterMetrics } from "./telemetry/cluster-metrics.js";

/** A worker gets this long to drain after SIGTERM before it is killed. */
const WORKER_STOP_MS = 15_000;
/** A worker that dies sooner than this after starting is restarted after RESTART_DELAY_MS. */
const QUICK_DEATH_MS = 5000;
const RESTART_DELAY_MS = 1000;

/**
 * The main process of `WORKERS` > 1: forks that many API processes, which share the port
 * (node:cluster hands connections out), restarts one that dies, and on SIGTERM or SIGINT
 * has them all drain, then exits. It opens no store itself; it gathers the workers' metrics for
 * whichever of them is asked for GET /metrics, and passes their projections' news on.
 */
export function supervise(workers: number): void {
  let stopping = false;
  const metrics = serveClusterMetrics();
  relayPeers();
  const started = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork();
    started.set(worker, Date.now());
    worker.on("exit", (code, signal) => {
      const lived = Date.now() - (started.get(worker) ?? 0);
      started.delete(worker);
      if (stopping) {
        if (started.size === 0) process.exit(0);
        return;
      }
      console.error(
        `worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`,
      );
      metrics.workerRestarted();
      if (lived < QUICK_DEATH_MS) setTimeout(fork, RESTART_DELAY_MS);
      else fork();
    });
  };
  for (let i = 0; i < workers; i++) fork();

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
