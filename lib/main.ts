import { ConfigError, loadConfig, type Config } from "./config.js";
import { start, type RunningServer } from "./server.js";

async function main() {
  let config: Config;
  let running: RunningServer;
  try {
    config = loadConfig();
    running = await start(config);
  } catch (error) {
    // No logger yet when the configuration itself is wrong: a plain line for the operator.
    console.error(error instanceof ConfigError ? `configuration: ${error.message}` : error);
    process.exit(1);
  }
  const { logger } = running;
  logger.info(
    { url: running.url, backend: config.dataInterface, logLevel: config.logLevel },
    `vowelgraph listening on ${running.url} (backend ${config.dataInterface})`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${signal}: draining in-flight requests`);
    await running.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
