import cluster from "node:cluster";
import type { AddressInfo } from "node:net";
import http from "node:http";
import { createApp } from "./app.js";
import { loadConfig, type Config } from "./config.js";
import { createBackend } from "./backend/create-backend.js";
import type { DataInterface } from "./backend/data-interface.js";
import { clusterPeers } from "./projection/projection-peers.js";
import { workerMetrics } from "./telemetry/cluster-metrics.js";
import { createLogger, type Logger } from "./telemetry/logger.js";
import { PrometheusTelemetry } from "./telemetry/prometheus-telemetry.js";

/** In-flight requests get this long to finish on shutdown before their connections are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * What a connection may take, sized for this API: a request is a line and a few headers, and a
 * body of 2 kB at most, so a client that needs seconds to send one is stalling, not slow
 * (Node's defaults let a slowloris hold a connection 60-90 s, a slow body 300-330 s). The
 * docs/operations.md's failure table quotes these numbers.
 */
export const HTTP_LIMITS = {
  /** From a connection's or a request's first byte to the end of its headers. */
  headersTimeoutMs: 10_000,
  /** From a request's first byte to the end of its body (processing it is not counted). */
  requestTimeoutMs: 15_000,
  /** An idle keep-alive connection is closed after this; replies announce it (Keep-Alive). */
  keepAliveTimeoutMs: 10_000,
  /** How often Node checks the two timeouts above: each is enforced within this much. */
  checkIntervalMs: 1000,
  /** Connections open at once; one more is closed as soon as it is accepted. */
  maxConnections: 1000,
} as const;

/** An HTTP server for `app` with HTTP_LIMITS; listening is the caller's business. */
export function createHttpServer(app: http.RequestListener): http.Server {
  const server = http.createServer(
    {
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: HTTP_LIMITS.checkIntervalMs,
    },
    app,
  );
  server.maxConnections = HTTP_LIMITS.maxConnections;
  return server;
}

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
  // A worker's /metrics are every worker's, gathered by the main process; this one reports its
  // own from now on, so that a worker still opening its stores does not hold up the others.
  const metrics = cluster.isWorker ? workerMetrics(telemetry.registry) : undefined;
  const data = await createBackend(config, {
    telemetry,
    peers: cluster.isWorker ? clusterPeers() : undefined,
    // Under PROJECTOR=process the supervisor runs the projectors in a process of their own.
    projectHere: !(cluster.isWorker && config.projector === "process"),
  });
  const app = createApp(data, Math.random, {
    logger,
    telemetry,
    metrics,
    neo4jBrowserUrl: config.neo4j.browserUrl,
  });
  const server = createHttpServer(app);
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
