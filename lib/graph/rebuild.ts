import type { GraphInterface } from "./graph-interface.js";
import { GraphProjection } from "./graph-projection.js";
import { resetGraph } from "./neo4j.js";

/** Events per transaction when replaying the whole log: large, for throughput. */
const REBUILD_CHUNK = 20_000;

/**
 * Recreates the graph from the MariaDB log: pauses every applier (a running service waits and
 * answers dashboards 503 meanwhile), empties the graph, and replays the log from the start.
 * Returns the number of events applied.
 */
export async function rebuildGraph(
  backend: GraphInterface,
  onProgress?: (applied: number, target: number) => void,
): Promise<number> {
  const { driver, log } = backend;
  await resetGraph(driver, log.logId);
  const target = await log.lastEventId();
  const replay = new GraphProjection(driver, log, REBUILD_CHUNK);
  await replay.catchUpFromGraph(target, onProgress);
  return target;
}
