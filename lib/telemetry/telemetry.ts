/**
 * What the backends report about their own work, for the operator's metrics. Each method is
 * called on a hot path, so implementations only count: no I/O, no allocation worth noticing.
 * The backends are given one by backend/create-backend.ts; `NO_TELEMETRY` ignores everything.
 */
export interface Telemetry {
  /** A group commit of `size` events to the MariaDB log took `seconds`. */
  batchCommitted(size: number, seconds: number): void;
  /** A commit failed; `kind` is a short reason (e.g. "unavailable", "deadlock", "unknown-outcome"). */
  commitFailed(kind: string): void;
  /** The projection applied `events` events to a graph in one transaction of `seconds`. */
  projectionApplied(events: number, seconds: number): void;
  /** How far the graph is behind the log: events not applied yet, and the age of the oldest. */
  projectionLag(events: number, seconds: number): void;
  /** A store failed a request; `store` is "MariaDB" or "Neo4j", `kind` a short reason. */
  storeError(store: string, kind: string): void;
  /** Readers waiting for the graph to catch up: +1 when one starts waiting, -1 when it stops. */
  readersWaiting(delta: number): void;
  /** A write batch was held back `seconds` for a graph that had fallen behind (0: not held). */
  writesHeld(seconds: number): void;
}

/** Telemetry that records nothing: for the baselines, tools and tests that do not ask. */
export const NO_TELEMETRY: Telemetry = {
  batchCommitted() {},
  commitFailed() {},
  projectionApplied() {},
  projectionLag() {},
  storeError() {},
  readersWaiting() {},
  writesHeld() {},
};
