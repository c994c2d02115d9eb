import type { AddressInfo } from "node:net";
import http from "node:http";
import { createApp } from "./app.js";
import { loadConfig, type Config } from "./config.js";
import { createDataInterface } from "./data/create-data-interface.js";
import type { DataInterface } from "./data/data-interface.js";

export interface RunningServer {
  url: string;
  port: number;
  data: DataInterface;
  /** Stops accepting connections, lets in-flight requests finish, then closes the backend. */
  stop(): Promise<void>;
}

/** Opens the configured backend and listens; `port: 0` picks a free port (tests do). */
export async function start(config: Config = loadConfig()): Promise<RunningServer> {
  const data = await createDataInterface(config);
  const server = http.createServer(createApp(data));
  // Load generators keep connections open between requests; outlive their idle gaps.
  server.keepAliveTimeout = 65_000;
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
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await data.close();
    },
  };
}
