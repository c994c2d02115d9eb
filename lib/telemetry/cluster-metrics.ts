import cluster, { type Worker } from "node:cluster";
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from "prom-client";
import { LAG_MEASURED_AT } from "./prometheus-telemetry.js";

/**
 * GET /metrics under `WORKERS` > 1. Every worker has its own registry; the one that got the
 * HTTP request asks the main process (cluster IPC), which asks every worker for its metrics as
 * JSON, merges them with prom-client's AggregatorRegistry (each metric by its `aggregator`: sum
 * for counters and histograms, see prometheus-telemetry.ts for the gauges) and sends the text
 * back. Two deadlines: the main process waits `collectMs` for the workers and answers with
 * those that reported (`vowelgraph_cluster_workers_reporting` says how many); the worker waits
 * `askMs` for the main process and otherwise fails, so the route answers 503 rather than one
 * worker's counters, which a scraper would take for every counter resetting.
 */
export const CLUSTER_METRICS_DEADLINES = { collectMs: 2000, askMs: 3000 } as const;

/** What GET /metrics serves: the route calls one of these and knows nothing else. */
export type MetricsSource = () => Promise<{ contentType: string; body: string }>;

type Report = MetricObjectWithValues<MetricValue<string>>[];

const ASK = "vowelgraph:metrics:ask"; // worker → main: "the service's metrics, please"
const COLLECT = "vowelgraph:metrics:collect"; // main → every worker: "yours, please"
const REPORT = "vowelgraph:metrics:report"; // worker → main: its registry as JSON
const ANSWER = "vowelgraph:metrics:answer"; // main → the asking worker: the aggregate, or why not

interface Message {
  type: string;
  id: number;
  metrics?: Report;
  body?: string;
  error?: string;
}

/** For sends over a channel that may be closing: a callback, so a failure is not an 'error' event. */
const ignore = () => {};

const isMessage = (message: unknown, type: string): message is Message =>
  typeof message === "object" && message !== null && (message as Message).type === type;

/** The metrics of one process's registry: WORKERS=1, the tests' in-process servers. */
export function localMetrics(registry: Registry): MetricsSource {
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}

/**
 * In a worker: answers the main process's requests for this registry, and returns the source
 * that asks the main process for every worker's metrics, within `askMs`.
 */
export function workerMetrics(
  registry: Registry,
  askMs: number = CLUSTER_METRICS_DEADLINES.askMs,
): MetricsSource {
  const waiting = new Map<number, (answer: Message) => void>();
  let nextId = 0;
  process.on("message", (message: unknown) => {
    if (isMessage(message, COLLECT)) {
      void registry.getMetricsAsJSON().then(
        (metrics) =>
          process.send?.({ type: REPORT, id: message.id, metrics }, undefined, {}, ignore),
        (error: unknown) =>
          process.send?.(
            { type: REPORT, id: message.id, error: String(error) },
            undefined,
            {},
            ignore,
          ),
      );
    } else if (isMessage(message, ANSWER)) {
      waiting.get(message.id)?.(message);
    }
  });
  return () =>
    new Promise((resolve, reject) => {
      if (!process.send || !process.connected) {
        reject(new Error("this worker has lost its main process, which gathers the metrics"));
        return;
      }
      const id = nextId++;
      const settle = (answer: Message) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (answer.error !== undefined) reject(new Error(answer.error));
        else resolve({ contentType: registry.contentType, body: answer.body ?? "" });
      };
      const timer = setTimeout(
        () =>
          settle({
            type: ANSWER,
            id,
            error: `the main process did not return the workers' metrics within ${askMs} ms`,
          }),
        askMs,
      );
      waiting.set(id, settle);
      process.send({ type: ASK, id }, undefined, {}, (error) => {
        if (error) settle({ type: ANSWER, id, error: `asking the main process: ${error.message}` });
      });
    });
}

/**
 * Merges the workers' reports into Prometheus text, with `extra` (the main process's own)
 * beside them. Counters and histograms are summed; a gauge goes by its own aggregator, and for
 * `first` (the projection's lag, "last measured") the reports are taken freshest first, by
 * their LAG_MEASURED_AT, so the service reports the most recent measurement whichever worker
 * made it.
 */
export function aggregateReports(reports: Report[], extra: Report = []): Promise<string> {
  const measuredAt = (report: Report) =>
    report.find((metric) => metric.name === LAG_MEASURED_AT)?.values[0]?.value ?? 0;
  const freshestFirst = [...reports].sort((a, b) => measuredAt(b) - measuredAt(a));
  return AggregatorRegistry.aggregate([...freshestFirst, extra]).metrics();
}

interface Collection {
  asker: Worker;
  /** The id the asking worker gave its request. */
  askerId: number;
  /** API workers asked, and how many of them reported (the projector process's report counts in the sums only). */
  asked: number;
  apiReports: number;
  awaiting: Map<number, boolean>;
  reports: Report[];
  timer: NodeJS.Timeout;
}

/** What the supervisor tells the main process's own metrics. */
export interface ClusterMetrics {
  /** A process died and another is being started: its counts are gone from the sums. */
  workerRestarted(role: "api" | "projector"): void;
}

export interface ClusterMetricsOptions {
  /** How long the main process waits for the workers' reports. */
  collectMs?: number;
  /**
   * Whether a worker is an API process (counted in vowelgraph_cluster_workers) rather than the
   * projector process, whose projection metrics are in the sums all the same.
   */
  isApi?: (worker: Worker) => boolean;
}

/**
 * In the main process: gathers every connected worker's metrics for a worker that asks,
 * waiting at most `collectMs` for them; a worker that exits meanwhile is not waited for.
 */
export function serveClusterMetrics({
  collectMs = CLUSTER_METRICS_DEADLINES.collectMs,
  isApi = () => true,
}: ClusterMetricsOptions = {}): ClusterMetrics {
  const own = new Registry();
  const restarts = new Counter({
    name: "vowelgraph_cluster_worker_restarts_total",
    help: "API workers that died and were replaced; each took its counts out of the sums",
    registers: [own],
  });
  const projectorRestarts = new Counter({
    name: "vowelgraph_cluster_projector_restarts_total",
    help: "Projector processes (PROJECTOR=process) that died and were replaced",
    registers: [own],
  });
  const collections = new Map<number, Collection>();
  let nextId = 0;

  const finish = async (id: number) => {
    const collection = collections.get(id);
    if (!collection) return;
    collections.delete(id);
    clearTimeout(collection.timer);
    let answer: Omit<Message, "type" | "id">;
    try {
      // The main process's own metrics, and how many workers this answer covers.
      const cover = new Registry();
      new Gauge({
        name: "vowelgraph_cluster_workers",
        help: "API workers connected to the main process when these metrics were gathered",
        registers: [cover],
      }).set(collection.asked);
      new Gauge({
        name: "vowelgraph_cluster_workers_reporting",
        help:
          "Workers whose metrics are in these sums; fewer than vowelgraph_cluster_workers " +
          `when one did not report within ${collectMs} ms`,
        registers: [cover],
      }).set(collection.apiReports);
      const extra = [...(await own.getMetricsAsJSON()), ...(await cover.getMetricsAsJSON())];
      answer = { body: await aggregateReports(collection.reports, extra) };
    } catch (error) {
      answer = { error: `aggregating the workers' metrics: ${String(error)}` };
    }
    if (collection.asker.isConnected()) {
      collection.asker.send({ type: ANSWER, id: collection.askerId, ...answer }, undefined, ignore);
    }
  };

  cluster.on("message", (worker, message: unknown) => {
    if (isMessage(message, ASK)) {
      const id = nextId++;
      const connected = Object.values(cluster.workers ?? {}).filter(
        (w): w is Worker => w !== undefined && w.isConnected(),
      );
      collections.set(id, {
        asker: worker,
        askerId: message.id,
        asked: connected.filter(isApi).length,
        apiReports: 0,
        awaiting: new Map(connected.map((w) => [w.id, isApi(w)])),
        reports: [],
        timer: setTimeout(() => void finish(id), collectMs),
      });
      for (const w of connected) w.send({ type: COLLECT, id }, undefined, ignore);
    } else if (isMessage(message, REPORT)) {
      const collection = collections.get(message.id);
      const api = collection?.awaiting.get(worker.id);
      if (!collection || api === undefined) return;
      collection.awaiting.delete(worker.id);
      if (api && message.metrics) collection.apiReports++;
      if (message.metrics) collection.reports.push(message.metrics);
      if (collection.awaiting.size === 0) void finish(message.id);
    }
  });
  cluster.on("exit", (worker) => {
    for (const [id, collection] of collections) {
      if (collection.awaiting.delete(worker.id) && collection.awaiting.size === 0) void finish(id);
    }
  });
  return {
    workerRestarted: (role) => (role === "api" ? restarts : projectorRestarts).inc(),
  };
}
