import type { Config } from "../config.js";
import type { ProjectionPeers } from "../projection/projection-peers.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";
import type { DataInterface } from "./data-interface.js";
import { NullBackend } from "../baselines/null-backend.js";
import { SqliteBackend } from "../baselines/sqlite-backend.js";

export interface BackendOptions {
  /** Where the graph backend reports its commits, projection and store errors. */
  telemetry?: Telemetry;
  /** The other processes of a `WORKERS` service. */
  peers?: ProjectionPeers;
  /** Whether this process runs the graph's projectors (see GraphBackendOptions.projectHere). */
  projectHere?: boolean;
}

/** Opens the backend that DATA_INTERFACE names; the graph backend connects to its stores here. */
export async function createBackend(
  config: Config,
  { telemetry = NO_TELEMETRY, peers, projectHere }: BackendOptions = {},
): Promise<DataInterface> {
  switch (config.dataInterface) {
    case "null":
      return new NullBackend();
    case "sqlite":
      return new SqliteBackend(config.sqlitePath);
    case "graph": {
      // Loaded only when chosen, so the baselines never load the database drivers.
      const { openGraphBackend } = await import("./graph-backend.js");
      return openGraphBackend(config, { telemetry, peers, projectHere });
    }
  }
}
