import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Connection as CoreConnection } from "mysql2";
import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import { LogReader } from "../../lib/log/log-reader.js";
import { SQL } from "../../lib/stores/statements.js";
import { CsvFile } from "../graph-import.js";
import {
  daysOf,
  daysToWrite,
  nextDay,
  partitionDir,
  partitionFile,
  type ExportFormat,
} from "./export-plan.js";

/** The columns of every exported file, in order (docs/analysis.md describes each). */
export const COLUMNS = [
  "id",
  "writer_id",
  "writer_seq",
  "kind",
  "uuid",
  "symbol",
  "guess",
  "created_at",
  "session_created_at",
  "request_key",
] as const;

/** Parquet's types for the CSV the export writes first; times become UTC instants. */
const PARQUET_SELECT = `SELECT
  CAST(id AS UBIGINT) AS id, CAST(writer_id AS USMALLINT) AS writer_id,
  CAST(writer_seq AS UBIGINT) AS writer_seq, kind, uuid, symbol, CAST(guess AS BOOLEAN) AS guess,
  CAST(created_at || '+00' AS TIMESTAMPTZ) AS created_at,
  CAST(session_created_at || '+00' AS TIMESTAMPTZ) AS session_created_at, request_key`;
const CSV_COLUMNS = `{${COLUMNS.map((c) => `'${c}': 'VARCHAR'`).join(", ")}}`;

/** The directory's own record: which log it holds and in which format. */
const RECORD = "_vowelgraph_export.json";
const PARTIAL = ".partial";

export class ExportError extends Error {}

export interface ExportOptions {
  from: string;
  to: string;
  format: ExportFormat;
  out: string;
  overwrite: boolean;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

export interface ExportResult {
  rows: number;
  written: string[];
  skipped: string[];
  seconds: number;
}

/**
 * The one free-text field (the Idempotency-Key): quoted, so that commas and quotes pass and an
 * empty key is not NULL; NULL is left empty. The others never hold a comma or a quote.
 */
const field = (value: unknown): string =>
  value === null || value === undefined ? "" : `"${String(value).replaceAll('"', '""')}"`;

/** One day's file being written: a CSV under a temporary name (ops/graph-import's writer). */
class DayFile {
  private readonly file: CsvFile;
  rows = 0;

  constructor(readonly csv: string) {
    this.file = new CsvFile(csv, COLUMNS.join(","));
  }

  async add(row: RowDataPacket) {
    this.file.add(
      [
        row.id,
        row.writer_id,
        row.writer_seq,
        row.kind,
        row.uuid,
        row.symbol,
        row.guess ? "true" : "false",
        row.created_at,
        row.session_created_at,
        field(row.request_key),
      ].join(","),
    );
    this.rows++;
    if (this.file.full) await this.file.flush();
  }

  close() {
    return this.file.close();
  }
}

/** Checks the output directory: empty, or an earlier export of this log in this format. */
function claimOutput(out: string, logId: string, format: ExportFormat, overwrite: boolean) {
  const record = path.join(out, RECORD);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    if (!fs.existsSync(record)) {
      throw new ExportError(
        `${out} is not empty and holds no ${RECORD}: not an export directory; choose another --out`,
      );
    }
    const earlier = JSON.parse(fs.readFileSync(record, "utf8")) as {
      log_id: string;
      format: string;
    };
    if ((earlier.log_id !== logId || earlier.format !== format) && !overwrite) {
      throw new ExportError(
        `${out} holds an export of log ${earlier.log_id} as ${earlier.format}; this is log ` +
          `${logId} as ${format}: choose another --out, or add --overwrite`,
      );
    }
  }
  fs.mkdirSync(out, { recursive: true, mode: 0o750 });
  fs.writeFileSync(record, JSON.stringify({ log_id: logId, format }) + "\n");
}

/**
 * Writes the events of [from, to) as one file per UTC day, from one consistent snapshot of the
 * log, streamed: memory holds a chunk of lines per day being written, never the log. Each day
 * is written under a temporary name and renamed when whole; days already whole are skipped
 * unless `overwrite`. Parquet goes through DuckDB from the day's CSV (one thread, 256 MB).
 */
export async function exportEvents(pool: Pool, options: ExportOptions): Promise<ExportResult> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const { out, format } = options;
  claimOutput(out, await new LogReader(pool).logId(), format, options.overwrite);
  const days = daysOf(options.from, options.to);
  const finished = new Set(
    days.filter((d) => fs.existsSync(path.join(out, partitionFile(d, format)))),
  );
  const { write, skip } = daysToWrite(days, finished, options.overwrite);
  if (skip.length > 0)
    log(`${skip.length} days already written, skipped (--overwrite writes them again)`);
  if (write.length === 0) return { rows: 0, written: [], skipped: skip, seconds: 0 };

  const files = new Map<string, DayFile>();
  for (const d of write) {
    const dir = path.join(out, partitionDir(d));
    // A day left half-written by an interrupted run: its temporary files go.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { mode: 0o750 });
    files.set(d, new DayFile(path.join(dir, `events.csv${PARTIAL}`)));
  }
  const lower = write[0]!;
  const upper = nextDay(write.at(-1)!);
  let rows = 0;
  let reported = performance.now();
  await inSnapshot(pool, async (connection) => {
    const core = connection.connection as unknown as CoreConnection;
    for await (const row of core.query(SQL.exportEvents, [lower, upper]).stream()) {
      const event = row as RowDataPacket;
      const file = files.get(String(event.created_at).slice(0, 10));
      if (!file) continue; // a day already written, inside the span of those to write
      await file.add(event);
      rows++;
      if (performance.now() - reported > 1000) {
        reported = performance.now();
        log(`${rows} rows, at ${String(event.created_at).slice(0, 19)}`);
      }
    }
  });
  for (const file of files.values()) await file.close();

  const duck = format === "parquet" ? await openDuckDb() : null;
  try {
    for (const [d, file] of files) {
      const final = path.join(out, partitionFile(d, format));
      if (duck) {
        const tmp = `${final}${PARTIAL}`;
        await duck.run(
          `COPY (${PARQUET_SELECT} FROM read_csv(${quote(file.csv)}, header = true, ` +
            `columns = ${CSV_COLUMNS}, quote = '"', escape = '"', allow_quoted_nulls = false)) ` +
            `TO ${quote(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        fs.renameSync(tmp, final);
        fs.rmSync(file.csv);
      } else {
        fs.renameSync(file.csv, final);
      }
      log(`${partitionFile(d, format)}: ${file.rows} rows`);
    }
  } finally {
    duck?.closeSync();
  }
  return { rows, written: write, skipped: skip, seconds: (performance.now() - started) / 1000 };
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function openDuckDb() {
  const instance = await DuckDBInstance.create(":memory:", {
    threads: "1",
    memory_limit: "256MB",
  });
  return instance.connect();
}

/**
 * Runs `work` inside one START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY: every day of
 * the export sees the log as it was at one moment, whatever the service writes meanwhile.
 */
async function inSnapshot(pool: Pool, work: (connection: PoolConnection) => Promise<void>) {
  const connection = await pool.getConnection();
  try {
    await connection.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    await work(connection);
    await connection.query("COMMIT");
    connection.release();
  } catch (error) {
    connection.destroy();
    throw error;
  }
}
