import type { AddressInfo } from "node:net";
import http from "node:http";
import { createApp } from "./app.js";
import { loadConfig, type Config } from "./config.js";
import { createDataInterface } from "./data/create-data-interface.js";
import type { DataInterface } from "./data/data-interface.js";
import { createLogger, type Logger } from "./telemetry/logger.js";
import { PrometheusTelemetry } from "./telemetry/prometheus-telemetry.js";

/** In-flight requests get this long to finish on shutdown before their connections are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface RunningServer {
  url: string;
  port: number;
  data: DataInterface;
  logger: Logger;
  /** Stops accepting connections, lets in-flight requests finish, then closes the backend. */
  stop(): Promise<void>;
}

/** Opens the configured backend and listens; `port: 0` picks a free port (tests do). */
export async function start(config: Config = loadConfig()): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const telemetry = new PrometheusTelemetry();
  const data = await createDataInterface(config, telemetry);
  const app = createApp(data, Math.random, {
    logger,
    telemetry,
    neo4jBrowserUrl: config.neo4j.browserUrl,
  });
  const server = http.createServer(app);
  // Load generators keep connections open between requests; outlive their idle gaps.
  server.keepAliveTimeout = 65_000;
  let draining = false;
  // While draining, every reply closes its connection, so keep-alive clients cannot hold the
  // server open by sending more requests on connections it already accepted.
  server.prependListener("request", (_req, res) => {
    if (draining) res.setHeader("Connection", "close");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    data,
    logger,
    async stop() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
      await closed;
      clearInterval(idleSweep);
      clearTimeout(deadline);
      await data.close();
    },
  };
}
