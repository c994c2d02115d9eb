import neo4j from "neo4j-driver";
import type { GraphInterface } from "./graph-interface.js";
import { GraphProjection } from "./graph-projection.js";
import { prepareGraph } from "./neo4j.js";
import { CYPHER } from "./statements.js";

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
  await prepareGraph(driver);
  const session = driver.session({ defaultAccessMode: neo4j.session.WRITE });
  try {
    await session.executeWrite((tx) => tx.run(CYPHER.pauseProjection));
    await session.run(CYPHER.wipeGraph);
    await prepareGraph(driver);
    await session.executeWrite((tx) => tx.run(CYPHER.restartProjection));
  } finally {
    await session.close();
  }
  const target = await log.lastEventId();
  const replay = new GraphProjection(driver, log, REBUILD_CHUNK);
  await replay.catchUpFromGraph(target, onProgress);
  return target;
}
