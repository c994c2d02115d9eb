import type { Config } from "../config.js";
import type { ProjectionPeers } from "../projection/projection-peers.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";
import type { DataInterface } from "./data-interface.js";
import { NullBackend } from "../baselines/null-backend.js";
import { SqliteBackend } from "../baselines/sqlite-backend.js";

/**
 * Opens the backend that DATA_INTERFACE names; the graph backend connects to its stores here
 * and reports its commits, projection and store errors to `telemetry`; `peers` are the other
 * processes of a `WORKERS` service.
 */
export async function createBackend(
  config: Config,
  telemetry: Telemetry = NO_TELEMETRY,
  peers?: ProjectionPeers,
): Promise<DataInterface> {
  switch (config.dataInterface) {
    case "null":
      return new NullBackend();
    case "sqlite":
      return new SqliteBackend(config.sqlitePath);
    case "graph": {
      // Loaded only when chosen, so the baselines never load the database drivers.
      const { openGraphBackend } = await import("./graph-backend.js");
      return openGraphBackend(config, { telemetry, peers });
    }
  }
}
