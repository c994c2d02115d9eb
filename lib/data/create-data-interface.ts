import type { Config } from "../config.js";
import type { ProjectionPeers } from "../graph/projection-peers.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";
import type { DataInterface } from "./data-interface.js";
import { NullInterface } from "./null-interface.js";
import { SqliteInterface } from "./sqlite-interface.js";

/**
 * Opens the backend that DATA_INTERFACE names; the graph backend connects to its stores here
 * and reports its commits, projection and store errors to `telemetry`; `peers` are the other
 * processes of a `WORKERS` service.
 */
export async function createDataInterface(
  config: Config,
  telemetry: Telemetry = NO_TELEMETRY,
  peers?: ProjectionPeers,
): Promise<DataInterface> {
  switch (config.dataInterface) {
    case "null":
      return new NullInterface();
    case "sqlite":
      return new SqliteInterface(config.sqlitePath);
    case "graph": {
      // Loaded only when chosen, so the baselines never load the database drivers.
      const { openGraphInterface } = await import("../graph/graph-interface.js");
      return openGraphInterface(config, undefined, telemetry, peers);
    }
  }
}
