import cluster from "node:cluster";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { start, type RunningServer } from "./server.js";
import { PROCESS_ROLE, supervise, usesSupervisor } from "./supervisor.js";

/** Stops `stop` once on SIGTERM or SIGINT, then exits; a worker without its main process exits. */
function onSignals(stop: (signal: string) => Promise<void>) {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    await stop(signal);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  // A worker whose main process died (SIGKILL) has nobody to share the port or restart it.
  if (cluster.isWorker) process.on("disconnect", () => process.exit(1));
}

async function serve(config: Config) {
  let running: RunningServer;
  try {
    running = await start(config);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
  const { logger } = running;
  const workers = cluster.isWorker ? `, worker ${process.pid} of ${config.workers}` : "";
  logger.info(
    { url: running.url, backend: config.dataInterface, logLevel: config.logLevel },
    `vowelgraph listening on ${running.url} (backend ${config.dataInterface}${workers})`,
  );
  onSignals(async (signal) => {
    logger.info({ signal }, `${signal}: draining in-flight requests`);
    await running.stop();
  });
}

/** PROJECTOR=process: this worker runs the graph's projectors and serves no HTTP. */
async function project(config: Config) {
  // Loaded only here: an API process never loads the projector process's module.
  const { startProjectorProcess } = await import("./projector-main.js");
  let stop: () => Promise<void>;
  try {
    stop = await startProjectorProcess(config);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
  console.log(
    `vowelgraph projector ${process.pid} projecting into ${config.neo4j.uris.join(", ")}`,
  );
  onSignals(() => stop());
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? `configuration: ${error.message}` : error);
  process.exit(1);
}
if (cluster.isPrimary && usesSupervisor(config)) supervise(config);
else if (process.env[PROCESS_ROLE] === "projector") await project(config);
else await serve(config);
