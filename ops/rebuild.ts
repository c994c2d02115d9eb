import type { Driver } from "neo4j-driver";
import { catchUp } from "../lib/projection/catch-up.js";
import { eventsBehind } from "../lib/log/log-positions.js";
import type { LogReader } from "../lib/log/log-reader.js";
import { importGraph } from "./graph-import.js";
import { isNeo4jUnavailable, prepareGraph, resetGraph } from "../lib/stores/neo4j.js";

/** How long a freshly imported database may take to open (its recovery, its first checks). */
const DATABASE_OPEN_WAIT_MS = 600_000;

/** Runs `work` until Neo4j stops answering "unavailable", or the time is up. */
async function untilAvailable(work: () => Promise<void>, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isNeo4jUnavailable(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * Events per transaction when replaying the log through Cypher: large, for throughput, but
 * bounded by the server's transaction memory. A dense stretch of the log gives each event up
 * to ~6 buckets of its own (the sub-second grains), and 20,000 such events passed the 358 MiB
 * that the tests' Neo4j (512 MiB heap) allows one transaction.
 */
const REPLAY_CHUNK = 5_000;

/**
 * How to rebuild: `import` stops a Neo4j server on this machine and bulk-imports the whole log
 * (fast; needs root or sudo); `replay` empties the graph and replays the log through Cypher
 * (works with any server, online, but at the speed of ordinary transactions).
 */
export type RebuildMode = { kind: "import"; server: string } | { kind: "replay" };

export interface RebuildStores {
  driver: Driver;
  reader: LogReader;
}

export interface RebuildObserver {
  /** Called about as often as the catch-up commits a transaction, with the events still to go. */
  onProgress?: (behind: number) => void;
  /** Called as each phase ends, with its wall time: where a slow rebuild spends it. */
  onPhase?: (phase: string, seconds: number) => void;
}

/**
 * Recreates the graph from the MariaDB log and brings it up to the log's end. A running
 * service waits meanwhile (dashboards answer 503) and catches up by itself afterwards.
 * Returns the number of events the log held when the rebuild started.
 */
export async function rebuildGraph(
  { driver, reader }: RebuildStores,
  mode: RebuildMode,
  { onProgress, onPhase }: RebuildObserver = {},
): Promise<number> {
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    onPhase?.(phase, (performance.now() - started) / 1000);
    return result;
  };
  const logId = await reader.logId();
  const toLogEnd = async () => {
    const target = await reader.heads();
    await catchUp(
      { server: "rebuild", driver, log: reader, logId, chunkSize: REPLAY_CHUNK },
      target,
      onProgress,
    );
  };
  if (mode.kind === "import") {
    const imported = await importGraph(reader, mode.server, timed);
    // Constraints and indexes are built after the import, over the imported nodes. The server
    // answers before its database is open after a large import: wait for it, bounded.
    await timed("indexes", () =>
      untilAvailable(() => prepareGraph(driver, logId), DATABASE_OPEN_WAIT_MS),
    );
    await timed("catch-up", toLogEnd);
    return eventsBehind(new Map(), imported);
  }
  await timed("wipe", () => resetGraph(driver, logId));
  const target = await reader.heads();
  await timed("replay", toLogEnd);
  return eventsBehind(new Map(), target);
}
