import { spawn } from "node:child_process";
import fs from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../config.js";
import { SYMBOLS } from "../model/symbols.js";
import type { EventLog } from "./event-log.js";
import { EventTotals, type Totals } from "./event-totals.js";

/** A CSV file written in large chunks, waiting whenever the disk falls behind. */
class CsvFile {
  private readonly stream: fs.WriteStream;
  private buffer: string[] = [];

  constructor(file: string, header: string) {
    this.stream = fs.createWriteStream(file);
    this.buffer.push(header);
  }

  async row(line: string) {
    this.buffer.push(line);
    if (this.buffer.length >= 4096) await this.flush();
  }

  async close() {
    await this.flush();
    this.stream.end();
    await once(this.stream, "finish");
  }

  private async flush() {
    const text = this.buffer.join("\n") + "\n";
    this.buffer = [];
    if (!this.stream.write(text)) await once(this.stream, "drain");
  }
}

const cell = (value: number | null) => (value === null ? "" : String(value));
const totalsCells = (t: Totals | undefined) =>
  t ? `${t.initials},${t.followups},${cell(t.earliest)},${cell(t.latest)}` : "0,0,,";
const TOTALS_HEADER = "initials:long,followups:long,earliest:long,latest:long";

/**
 * Writes the graph of the whole log up to `position` as the CSV files of Neo4j's bulk importer:
 * the same nodes, relationships and totals the projection builds one batch at a time.
 */
export async function writeGraphCsv(log: EventLog, position: number, dir: string) {
  const sessions = new CsvFile(
    path.join(dir, "sessions.csv"),
    "uuid:ID(Session),symbol,guess:boolean,at:long",
  );
  const asked = new CsvFile(path.join(dir, "asked.csv"), ":START_ID(Session),:END_ID(Symbol)");
  const followedUp = new CsvFile(
    path.join(dir, "followed-up.csv"),
    ":START_ID(Session),:END_ID(Symbol),at:long",
  );
  const totals = new EventTotals();
  let events = 0;
  for await (const event of log.streamEvents(position)) {
    events++;
    totals.add(event);
    if (event.kind === "initial") {
      await sessions.row(`${event.uuid},${event.symbol},${event.guess},${event.at}`);
      await asked.row(`${event.uuid},${event.symbol}`);
    } else {
      await followedUp.row(`${event.uuid},${event.symbol},${event.at}`);
    }
  }
  await Promise.all([sessions.close(), asked.close(), followedUp.close()]);

  const symbols = new CsvFile(path.join(dir, "symbols.csv"), `name:ID(Symbol),${TOTALS_HEADER}`);
  for (const symbol of SYMBOLS)
    await symbols.row(`${symbol},${totalsCells(totals.symbols.get(symbol))}`);
  await symbols.close();
  const buckets = new CsvFile(
    path.join(dir, "buckets.csv"),
    `grain,start:long,symbol,${TOTALS_HEADER}`,
  );
  for (const [key, t] of totals.bucketEntries()) {
    await buckets.row(`${key.grain},${key.start},${key.symbol},${totalsCells(t)}`);
  }
  await buckets.close();
  const projection = new CsvFile(path.join(dir, "projection.csv"), "name,lastEventId:long,logId");
  await projection.row(`event-log,${position},${log.logId}`);
  await projection.close();
  return events;
}

/** Runs provision/neo4j-import.sh: stop the local server, bulk-import `dir`, start it again. */
function importIntoServer(server: string, dir: string): Promise<void> {
  const script = path.join(PROJECT_ROOT, "provision", "neo4j-import.sh");
  const child = spawn("bash", [script, server, dir], { stdio: ["ignore", "inherit", "inherit"] });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${script} ${server} failed (exit ${code})`)),
    );
  });
}

/**
 * Rebuilds the graph of a Neo4j server on this machine with Neo4j's offline bulk importer:
 * the log up to its current end goes to CSV, the server is stopped, the CSV imported, the
 * server started. Returns the position imported; events that came meanwhile are caught up by
 * the caller (the projection does it by itself).
 */
export async function importGraph(
  log: EventLog,
  server: string,
): Promise<{ position: number; events: number }> {
  const position = await log.lastEventId();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-import-"));
  try {
    const events = await writeGraphCsv(log, position, dir);
    await importIntoServer(server, dir);
    return { position, events };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
