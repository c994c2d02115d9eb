import { spawn } from "node:child_process";
import fs from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../lib/config.js";
import { SYMBOLS } from "../lib/model/symbols.js";
import { randomUUID } from "node:crypto";
import type { LogPositions } from "../lib/log/log-positions.js";
import type { LogReader } from "../lib/log/log-reader.js";
import { EventTotals, type Totals } from "../lib/projection/event-totals.js";

/** Lines kept in memory per file before they are handed to the disk. */
const CHUNK_LINES = 8192;

/** A CSV file written in large chunks; the writer waits whenever the disk falls behind. */
export class CsvFile {
  private readonly stream: fs.WriteStream;
  private lines: string[] = [];

  constructor(file: string, header?: string) {
    this.stream = fs.createWriteStream(file, { mode: 0o600 });
    if (header !== undefined) this.lines.push(header);
  }

  add(line: string) {
    this.lines.push(line);
  }

  get full() {
    return this.lines.length >= CHUNK_LINES;
  }

  async flush() {
    const text = this.lines.join("\n") + "\n";
    this.lines = [];
    if (!this.stream.write(text)) await once(this.stream, "drain");
  }

  async close() {
    if (this.lines.length > 0) await this.flush();
    this.stream.end();
    await once(this.stream, "finish");
  }
}

/** A small CSV file written whole. */
async function writeCsv(file: string, header: string, lines: Iterable<string>) {
  const csv = new CsvFile(file, header);
  for (const line of lines) csv.add(line);
  await csv.close();
}

const cell = (value: number | null) => (value === null ? "" : String(value));
const totalsCells = (t: Totals | undefined) =>
  t ? `${t.initials},${t.followups},${cell(t.earliest)},${cell(t.latest)}` : "0,0,,";
const TOTALS_HEADER = "initials:long,followups:long,earliest:long,latest:long";

/**
 * Writes the graph of the whole log, read in one snapshot, as the CSV files of Neo4j's bulk importer
 * (provision/neo4j-import.sh reads them): the same nodes, relationships and totals the projection
 * builds one batch at a time. sessions.csv has no header line because the importer reads it
 * twice, under sessions-header.csv for the Session nodes and under asked-header.csv for their
 * ASKED relationships, so that the log's largest part is written once.
 */
async function writeGraphCsv(log: LogReader, logId: string, dir: string) {
  const file = (name: string) => path.join(dir, name);
  await writeCsv(file("sessions-header.csv"), "uuid:ID(Session),symbol,guess:boolean,at:long", []);
  await writeCsv(
    file("asked-header.csv"),
    ":START_ID(Session),:END_ID(Symbol),:IGNORE,:IGNORE",
    [],
  );
  const sessions = new CsvFile(file("sessions.csv"));
  const followedUp = new CsvFile(
    file("followed-up.csv"),
    ":START_ID(Session),:END_ID(Symbol),at:long",
  );
  const totals = new EventTotals();
  const heads = await log.snapshot(async (heads, events) => {
    for await (const event of events) {
      totals.add(event);
      if (event.kind === "initial") {
        sessions.add(`${event.uuid},${event.symbol},${event.guess},${event.at}`);
        if (sessions.full) await sessions.flush();
      } else {
        followedUp.add(`${event.uuid},${event.symbol},${event.at}`);
        if (followedUp.full) await followedUp.flush();
      }
    }
    return heads;
  });
  await Promise.all([sessions.close(), followedUp.close()]);

  await writeCsv(
    file("symbols.csv"),
    `name:ID(Symbol),${TOTALS_HEADER}`,
    SYMBOLS.map((symbol) => `${symbol},${totalsCells(totals.symbols.get(symbol))}`),
  );
  const buckets = new CsvFile(file("buckets.csv"), `grain,start:long,symbol,${TOTALS_HEADER}`);
  for (const [key, t] of totals.bucketEntries()) {
    buckets.add(`${key.grain},${key.start},${key.symbol},${totalsCells(t)}`);
    if (buckets.full) await buckets.flush();
  }
  await buckets.close();
  await writeCsv(file("projection.csv"), "name,logId,graphId", [
    `event-log,${logId},${randomUUID()}`,
  ]);
  await writeCsv(
    file("positions.csv"),
    "writer:long,seq:long",
    [...heads].map(([writer, seq]) => `${writer},${seq}`),
  );
  return heads;
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
 * server started. Returns the log positions imported; events that came meanwhile are caught
 * up by the caller (the projection does it by itself).
 */
export async function importGraph(
  log: LogReader,
  server: string,
  timed: <T>(phase: string, work: () => Promise<T>) => Promise<T>,
): Promise<LogPositions> {
  const logId = await log.logId();
  // The export holds every event: a private directory (mkdtemp makes it 0700, its files are
  // 0600); provision/neo4j-import.sh lets the Neo4j service user, and only it, read them.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-import-"));
  fs.chmodSync(dir, 0o700);
  try {
    const heads = await timed("export", () => writeGraphCsv(log, logId, dir));
    await timed("import", () => importIntoServer(server, dir));
    return heads;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
