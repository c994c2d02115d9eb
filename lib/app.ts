import express, { type Express } from "express";
import type { DataInterface } from "./data/data-interface.js";
import { errorMiddleware, methodNotAllowed, unknownRoute } from "./http/error-middleware.js";
import { registerDashboardRoutes } from "./http/routes/dashboard-routes.js";
import { registerInteractionRoutes } from "./http/routes/interaction-routes.js";
import type { RandomSource } from "./model/random.js";

/** Builds the HTTP application over a backend; listening is the caller's business. */
export function createApp(data: DataInterface, random: RandomSource = Math.random): Express {
  const app = express();
  // Nothing on the hot path that the clients do not read.
  app.disable("x-powered-by");
  app.set("etag", false);

  // Registered on the app itself, not on Routers: one dispatch step less per request.
  registerInteractionRoutes(app, data, random);
  registerDashboardRoutes(app, data);

  app.all("/initial", methodNotAllowed(["POST"]));
  app.all("/followup", methodNotAllowed(["POST"]));
  app.all("/dashboard/symbol/:symbol", methodNotAllowed(["GET"]));
  app.all("/dashboard/range/:lower/:upper", methodNotAllowed(["GET"]));
  app.all("/dashboard/series/:lower/:upper", methodNotAllowed(["GET"]));
  app.use(unknownRoute);
  app.use(errorMiddleware);
  return app;
}
