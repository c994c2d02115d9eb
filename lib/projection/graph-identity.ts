import { randomUUID } from "node:crypto";
import type { Driver } from "neo4j-driver";
import { covers, type LogPositions } from "../log/log-positions.js";
import { prepareGraph } from "../stores/neo4j.js";
import {
  GraphMismatchError,
  readGraphState,
  RebuildInProgressError,
  type GraphState,
} from "./graph-state.js";

const REBUILD = "run `npm run graph:rebuild` to rebuild it from the log";

/**
 * Whether a graph in `state` may be projected into from the log `logId` whose writers are at
 * `heads`: it must not be paused by a rebuild, must have been built from this log, and must
 * not be ahead of it (a graph restored from a later backup than its log). Throws what is wrong.
 */
export function checkFollows(state: GraphState, logId: string, heads: LogPositions): void {
  if (state.paused) throw new RebuildInProgressError();
  if (state.logId !== logId) {
    throw new GraphMismatchError(
      `the graph was built from another log (${state.logId}; this log is ${logId}): ${REBUILD}`,
    );
  }
  if (!covers(heads, state.positions)) {
    throw new GraphMismatchError(`the graph is ahead of this log: ${REBUILD}`);
  }
}

/**
 * Reaches a graph, prepares it (schema, Symbol nodes, planned statements) and checks that it
 * follows the log `logId`; returns its name and how far it has applied the log.
 */
export async function openGraph(
  driver: Driver,
  log: { heads(): Promise<LogPositions> },
  logId: string,
): Promise<{ graphId: string; positions: LogPositions }> {
  await prepareGraph(driver, logId, randomUUID());
  const state = await readGraphState(driver);
  checkFollows(state, logId, await log.heads());
  return { graphId: state.graphId!, positions: state.positions };
}
