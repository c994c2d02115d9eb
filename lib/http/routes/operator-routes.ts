import type { Express } from "express";
import type { DataInterface, Readiness } from "../../backend/data-interface.js";
import type { MetricsSource } from "../../telemetry/cluster-metrics.js";

const started = Date.now();

/**
 * The operator's endpoints: liveness, readiness of the stores, and the Prometheus metrics that
 * `metrics` gathers (this process's, or every worker's under WORKERS > 1).
 */
export function registerOperatorRoutes(
  app: Express,
  data: DataInterface,
  metrics: MetricsSource,
): void {
  // Alive: the process answers. Nothing here touches a store.
  app.get("/healthz", (_req, res) => {
    res.json({ alive: true, uptimeSeconds: Math.round((Date.now() - started) / 1000) });
  });

  // Ready: the stores answer and the graph is current; 503 naming what is not.
  app.get("/readyz", async (_req, res) => {
    let readiness: Readiness;
    try {
      readiness = data.readiness ? await data.readiness() : { ready: true, missing: [] };
    } catch (error) {
      readiness = { ready: false, missing: [`readiness check failed: ${String(error)}`] };
    }
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });

  // Served whatever the stores do. When the workers' metrics cannot be gathered in time, a 503
  // rather than one worker's share, which a scraper would read as every counter resetting.
  app.get("/metrics", async (_req, res) => {
    let answer: Awaited<ReturnType<MetricsSource>>;
    try {
      answer = await metrics();
    } catch (error) {
      res
        .status(503)
        .set("Retry-After", "1")
        .json({ error: `metrics unavailable: ${(error as Error).message}` });
      return;
    }
    res.type(answer.contentType).send(answer.body);
  });
}
