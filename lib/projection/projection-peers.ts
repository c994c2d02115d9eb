import cluster from "node:cluster";
import { positionPairs, type LogPositions } from "../log/log-positions.js";
import type { ProjectorNews } from "./projector.js";

/**
 * What the API processes of one `WORKERS` service tell each other about a Neo4j server's
 * projection, so that a process that is not its projector neither waits for the projector's
 * next poll of the log nor asks the graph where it is:
 * - `committed`: a standby committed events (the projector applies soon, as for its own);
 * - `waiting`: a standby has a reader waiting (the projector stops lingering);
 * - `applied`: the projector's positions after a transaction, which a standby's readers trust
 *   as the projector trusts them (positions only move forward while the graph keeps its id);
 * - `unreachable`: the projector cannot reach its graph (a process without a projector of its
 *   own, PROJECTOR=process, answers reads 503 at once meanwhile).
 * These are hints: everything still works without them (a projector in another service polls
 * the log, a standby asks the graph), only slower.
 */
export type PeerMessage =
  | { server: string; kind: "committed"; events: number }
  | { server: string; kind: "waiting" }
  | { server: string; kind: "applied"; graphId: string; positions: [number, number][] }
  | { server: string; kind: "unreachable"; problem: string };

export interface ProjectionPeers {
  publish(message: PeerMessage): void;
  /** Returns what stops listening. */
  subscribe(listener: (message: PeerMessage) => void): () => void;
}

/** One process alone (WORKERS=1, a tool, a test): nobody to tell. */
export const NO_PEERS: ProjectionPeers = { publish() {}, subscribe: () => () => {} };

const TYPE = "vowelgraph:projection";

interface Envelope {
  type: typeof TYPE;
  message: PeerMessage;
}

const isEnvelope = (value: unknown): value is Envelope =>
  typeof value === "object" && value !== null && (value as Envelope).type === TYPE;

/** For sends over a channel that may be closing: a callback, so a failure is no 'error' event. */
const ignore = () => {};

/** In a worker: the other workers of this service, through the main process (relayPeers). */
export function clusterPeers(): ProjectionPeers {
  return {
    publish(message) {
      process.send?.({ type: TYPE, message } satisfies Envelope, undefined, {}, ignore);
    },
    subscribe(listener) {
      const receive = (value: unknown) => {
        if (isEnvelope(value)) listener(value.message);
      };
      process.on("message", receive);
      return () => process.off("message", receive);
    },
  };
}

/** In the main process: passes each worker's peer messages on to every other worker. */
export function relayPeers(): void {
  cluster.on("message", (from, value: unknown) => {
    if (!isEnvelope(value)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(value, undefined, ignore);
    }
  });
}

/** A projector's news about the server `server`, published to the other processes. */
export function projectorNews(peers: ProjectionPeers, server: string): ProjectorNews {
  return {
    applied: (graphId: string, positions: LogPositions) =>
      peers.publish({ server, kind: "applied", graphId, positions: positionPairs(positions) }),
    unreachable: (problem: string) => peers.publish({ server, kind: "unreachable", problem }),
  };
}
