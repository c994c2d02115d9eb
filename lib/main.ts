import { ConfigError, loadConfig, type Config } from "./config.js";
import { start, type RunningServer } from "./server.js";

async function main() {
  let config: Config;
  let running: RunningServer;
  try {
    config = loadConfig();
    running = await start(config);
  } catch (error) {
    console.error(error instanceof ConfigError ? `configuration: ${error.message}` : error);
    process.exit(1);
  }
  console.log(`vowelgraph listening on ${running.url} (backend ${config.dataInterface})`);

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
}

await main();
