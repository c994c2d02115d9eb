import express, { type Express } from "express";
import type { DataInterface } from "./backend/data-interface.js";
import { errorMiddleware, methodNotAllowed, unknownRoute } from "./http/error-middleware.js";
import { registerDashboardRoutes } from "./http/routes/dashboard-routes.js";
import { registerInteractionRoutes } from "./http/routes/interaction-routes.js";
import { registerOperatorRoutes } from "./http/routes/operator-routes.js";
import { registerPageRoutes } from "./http/routes/page-routes.js";
import type { RandomSource } from "./model/random.js";
import { localMetrics, type MetricsSource } from "./telemetry/cluster-metrics.js";
import { accessLog, createLogger, type Logger } from "./telemetry/logger.js";
import { PrometheusTelemetry } from "./telemetry/prometheus-telemetry.js";

export interface AppOptions {
  /** The request metrics and the backend's telemetry, served at /metrics; a fresh one if absent. */
  telemetry?: PrometheusTelemetry;
  /** What GET /metrics serves; `telemetry`'s own registry if absent (cluster-metrics.ts). */
  metrics?: MetricsSource;
  /** The structured log; the access log is on when its level includes `info`. */
  logger?: Logger;
  /** Neo4j Browser for the page's links; empty for "the page's host, port 7474". */
  neo4jBrowserUrl?: string;
}

/** Builds the HTTP application over a backend; listening is the caller's business. */
export function createApp(
  data: DataInterface,
  random: RandomSource = Math.random,
  options: AppOptions = {},
): Express {
  // Without a logger (tests, tools) only unexpected errors are logged, as before.
  const logger = options.logger ?? createLogger("error");
  const telemetry = options.telemetry ?? new PrometheusTelemetry({ processMetrics: false });
  const app = express();
  // Nothing on the hot path that the clients do not read.
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use(telemetry.httpMetrics);
  const access = accessLog(logger);
  if (access) app.use(access);

  // Registered on the app itself, not on Routers: one dispatch step less per request.
  registerInteractionRoutes(app, data, random);
  registerDashboardRoutes(app, data);
  registerOperatorRoutes(app, data, options.metrics ?? localMetrics(telemetry.registry));
  registerPageRoutes(app, { neo4jBrowserUrl: options.neo4jBrowserUrl ?? "" });

  app.all("/initial", methodNotAllowed(["POST"]));
  app.all("/followup", methodNotAllowed(["POST"]));
  app.all("/dashboard/symbol/:symbol", methodNotAllowed(["GET"]));
  app.all("/dashboard/range/:lower/:upper", methodNotAllowed(["GET"]));
  app.all("/dashboard/series/:lower/:upper", methodNotAllowed(["GET"]));
  app.use(unknownRoute);
  app.use(errorMiddleware(logger, telemetry));
  return app;
}
