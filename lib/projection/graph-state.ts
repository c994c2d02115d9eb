import type { Driver } from "neo4j-driver";
import type { LogPositions } from "../log/log-positions.js";
import { boundedRead, type ReadLimits } from "../stores/neo4j.js";
import { CYPHER } from "../stores/statements.js";

/** The graph does not follow this log: it needs an operator, not a retry. */
export class GraphMismatchError extends Error {}

/** A rebuild has paused the projection; projectors wait for it to restart. */
export class RebuildInProgressError extends Error {
  constructor() {
    super(
      "the graph is being rebuilt from the log (if no rebuild is running: npm run graph:rebuild)",
    );
  }
}

/** The projection's record in one graph, as the graph itself says now. */
export interface GraphState {
  /** The log it was built from. */
  logId: string | null;
  /** Its own name: what projectors elect a leader for, and what news about it is tagged with. */
  graphId: string | null;
  paused: boolean;
  positions: LogPositions;
}

/** Reads the graph's projection record (cypher/projection-position.cypher), bounded in time. */
export async function readGraphState(driver: Driver, limits?: ReadLimits): Promise<GraphState> {
  const [record] = await boundedRead(driver, CYPHER.projectionPosition, {}, limits);
  if (!record) throw new RebuildInProgressError();
  const pairs = record.get("positions") as [number, number][];
  return {
    logId: record.get("logId") as string | null,
    graphId: record.get("graphId") as string | null,
    paused: record.get("paused") as boolean,
    positions: new Map(pairs.map(([writer, seq]) => [Number(writer), Number(seq)])),
  };
}
