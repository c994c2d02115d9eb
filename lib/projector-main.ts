import cluster from "node:cluster";
import type { Config } from "./config.js";
import { clusterPeers } from "./projection/projection-peers.js";
import { runProjectors } from "./projection/projector-process.js";
import { workerMetrics } from "./telemetry/cluster-metrics.js";
import { PrometheusTelemetry } from "./telemetry/prometheus-telemetry.js";

/**
 * The projector process's start (PROJECTOR=process, forked by the supervisor): its projection
 * metrics join the API workers' at GET /metrics; returns what stops it.
 */
export async function startProjectorProcess(config: Config): Promise<() => Promise<void>> {
  const telemetry = new PrometheusTelemetry();
  if (cluster.isWorker) workerMetrics(telemetry.registry);
  const running = await runProjectors(config, { peers: clusterPeers(), telemetry });
  return () => running.stop();
}
