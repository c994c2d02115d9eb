import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { countLoggedEvents, openEmptyGraphBackend } from "./graph-stores.js";
import { MemoryBackend } from "./memory-backend.js";
import { STORES_AVAILABLE } from "./stores-available.js";
import type { DataInterface } from "../../lib/backend/data-interface.js";
import { SqliteBackend } from "../../lib/baselines/sqlite-backend.js";
import type { Micros } from "../../lib/model/timestamp.js";

/** A backend opened for one test, with a way to see how many raw events it holds. */
export interface BackendUnderTest {
  data: DataInterface;
  /** Raw events stored so far, read straight from the store, not through the DataInterface. */
  storedEvents(): Promise<number>;
  close(): Promise<void>;
}

export interface BackendFactory {
  name: string;
  open(clock?: () => Micros): Promise<BackendUnderTest>;
}

/** The in-memory fake with the graph backend's session rules: the fast layer of the HTTP specs. */
export const memoryBackend: BackendFactory = {
  name: "memory",
  async open(clock) {
    const data = new MemoryBackend(clock);
    return { data, storedEvents: async () => data.events.length, close: () => data.close() };
  },
};

/**
 * Where the sqlite baseline's test files go: memory-backed when the machine has /dev/shm. The
 * baseline commits every event with SQLite's full sync, so on a disk the specs would spend
 * their time in fsync; what they check is its answers, which do not depend on the disk.
 */
const SQLITE_TEST_DIR = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();

export const sqliteBackend: BackendFactory = {
  name: "sqlite",
  async open(clock) {
    const dir = fs.mkdtempSync(path.join(SQLITE_TEST_DIR, "vowelgraph-"));
    const file = path.join(dir, "events.sqlite");
    const data = new SqliteBackend(file, clock);
    const Database = (await import("better-sqlite3")).default;
    const reader = new Database(file, { readonly: true });
    return {
      data,
      async storedEvents() {
        return (reader.prepare("SELECT COUNT(*) AS n FROM api_events").get() as { n: number }).n;
      },
      async close() {
        reader.close();
        await data.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/**
 * Every backend the HTTP specs run against, each from an empty store: `open()` must give a
 * store with no events (the accuracy and empty-shape specs check this first).
 */
export const graphBackend: BackendFactory = {
  name: "graph",
  async open(clock) {
    const backend = await openEmptyGraphBackend(clock);
    return {
      data: backend,
      storedEvents: () => countLoggedEvents(backend),
      close: () => backend.close(),
    };
  },
};

export const backendsUnderTest: BackendFactory[] = STORES_AVAILABLE
  ? [memoryBackend, sqliteBackend, graphBackend]
  : [memoryBackend, sqliteBackend];

/**
 * SPEC: the `null` and `sqlite` baselines accept followups for unknown uuids and a uuid reused
 * with another symbol; every other backend answers those with 404 and 409.
 */
export function checksSessions(backend: BackendFactory): boolean {
  return !["null", "sqlite"].includes(backend.name);
}
