import cluster from "node:cluster";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { start, type RunningServer } from "./server.js";
import { supervise } from "./supervisor.js";

async function serve(config: Config) {
  let running: RunningServer;
  try {
    running = await start(config);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
  const workers = cluster.isWorker ? `, worker ${process.pid} of ${config.workers}` : "";
  console.log(`vowelgraph listening on ${running.url} (backend ${config.dataInterface}${workers})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: draining in-flight requests`);
    await running.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  // A worker whose main process died (SIGKILL) has nobody to share the port or restart it.
  if (cluster.isWorker) process.on("disconnect", () => process.exit(1));
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? `configuration: ${error.message}` : error);
  process.exit(1);
}
if (cluster.isPrimary && config.workers > 1) supervise(config.workers);
else await serve(config);
