import type { Express } from "express";
import type { DataInterface, Readiness } from "../../data/data-interface.js";
import type { PrometheusTelemetry } from "../../telemetry/prometheus-telemetry.js";

const started = Date.now();

/** The operator's endpoints: liveness, readiness of the stores, Prometheus metrics. */
export function registerOperatorRoutes(
  app: Express,
  data: DataInterface,
  telemetry: PrometheusTelemetry,
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

  // Served whatever the stores do: the metrics are this process's own.
  app.get("/metrics", async (_req, res) => {
    res.type(telemetry.registry.contentType).send(await telemetry.registry.metrics());
  });
}
