import type { RequestHandler } from "express";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Telemetry } from "./telemetry.js";

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2000, 5000];

/** When this process last measured the projection's lag: orders the workers' lags (cluster-metrics.ts). */
export const LAG_MEASURED_AT = "vowelgraph_projection_lag_measured_timestamp_seconds";

/**
 * Telemetry kept as Prometheus metrics, with the HTTP request metrics beside them, in a
 * registry of its own (so several apps in one process, as in the tests, never collide).
 * GET /metrics renders `registry`, or under WORKERS > 1 every worker's registry merged
 * (cluster-metrics.ts) by each metric's `aggregator`: counters and histograms summed (the
 * default), and the gauges as their comments say.
 */
export class PrometheusTelemetry implements Telemetry {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: "vowelgraph_http_requests_total",
    help: "HTTP requests answered, by method, route (the path template) and status",
    labelNames: ["method", "route", "status"],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: "vowelgraph_http_request_duration_seconds",
    help: "Time from a request's arrival to the end of its reply, by method, route and status",
    labelNames: ["method", "route", "status"],
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: "vowelgraph_log_batch_events",
    help: "Events per group commit to the MariaDB log",
    buckets: BATCH_SIZES,
    registers: [this.registry],
  });
  private readonly commitLatency = new Histogram({
    name: "vowelgraph_log_commit_duration_seconds",
    help: "Time to commit one group of events to the MariaDB log",
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly commitFailures = new Counter({
    name: "vowelgraph_log_commit_failures_total",
    help: "Group commits that failed, by kind",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  private readonly applyLatency = new Histogram({
    name: "vowelgraph_projection_apply_duration_seconds",
    help: "Time of one projection transaction applying events to the graph",
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly appliedEvents = new Counter({
    name: "vowelgraph_projection_applied_events_total",
    help: "Events the projection has applied to the graph",
    registers: [this.registry],
  });
  private readonly lagEvents = new Gauge({
    name: "vowelgraph_projection_lag_events",
    help: "Events committed to the log and not yet in the graph (last measured)",
    // Every worker measures the same graph: the most recent measurement, not a sum.
    aggregator: "first",
    registers: [this.registry],
  });
  private readonly lagSeconds = new Gauge({
    name: "vowelgraph_projection_lag_seconds",
    help: "Age of the oldest event not yet in the graph (last measured; 0 when current)",
    aggregator: "first",
    registers: [this.registry],
  });
  private readonly lagMeasuredAt = new Gauge({
    name: LAG_MEASURED_AT,
    help: "When the projection's lag was last measured (Unix time; 0 before the first /readyz)",
    aggregator: "max",
    registers: [this.registry],
  });
  private readonly storeErrors = new Counter({
    name: "vowelgraph_store_errors_total",
    help: "Store failures, by store and kind",
    labelNames: ["store", "kind"],
    registers: [this.registry],
  });
  private readonly waiting = new Gauge({
    name: "vowelgraph_readers_waiting",
    help: "Dashboard reads waiting for the graph to catch up with the log",
    // Each worker's readers are its own: summed over the workers.
    aggregator: "sum",
    registers: [this.registry],
  });

  private readonly held = new Histogram({
    name: "vowelgraph_log_batch_held_seconds",
    help: "Time a write batch was held back for a graph behind this process's commits",
    buckets: SECONDS,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    // CPU, memory, event-loop delay and GC of this process, under their usual names.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  batchCommitted(size: number, seconds: number) {
    this.batchSize.observe(size);
    this.commitLatency.observe(seconds);
  }

  commitFailed(kind: string) {
    this.commitFailures.inc({ kind });
  }

  projectionApplied(events: number, seconds: number) {
    this.appliedEvents.inc(events);
    this.applyLatency.observe(seconds);
  }

  projectionLag(events: number, seconds: number) {
    this.lagEvents.set(events);
    this.lagSeconds.set(seconds);
    this.lagMeasuredAt.set(Date.now() / 1000);
  }

  storeError(store: string, kind: string) {
    this.storeErrors.inc({ store, kind });
  }

  readersWaiting(delta: number) {
    this.waiting.inc(delta);
  }

  writesHeld(seconds: number) {
    this.held.observe(seconds);
  }

  /**
   * Counts and times every request. The route label is the matched path template
   * (`/dashboard/range/:lower/:upper`), `res.locals.route` for handlers outside the router
   * (static files), or `unmatched`, so URLs never become labels.
   */
  readonly httpMetrics: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      const labels = {
        method: req.method,
        route: route ?? (res.locals.route as string | undefined) ?? "unmatched",
        status: res.statusCode,
      };
      this.requests.inc(labels);
      this.latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
