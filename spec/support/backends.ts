import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import type { DataInterface } from "../../lib/data/data-interface.js";
import { SqliteInterface } from "../../lib/data/sqlite-interface.js";
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

export const sqliteBackend: BackendFactory = {
  name: "sqlite",
  async open(clock) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-"));
    const file = path.join(dir, "events.sqlite");
    const data = new SqliteInterface(file, clock);
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
