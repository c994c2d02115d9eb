import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { RowDataPacket } from "mysql2/promise";
import { PROJECT_ROOT } from "../../lib/config.js";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import { generateEventStream, replayClock } from "../support/event-stream.js";
import { feedEvents } from "../support/feed-events.js";
import { openEmptyGraphBackend, testEnv } from "../support/graph-stores.js";
import { describeWithStores } from "../support/stores-available.js";

const run = promisify(execFile);

/** `npm run export -- ARGS` over the tests' log, as its user runs it (minus the build). */
async function exportCli(...args: string[]) {
  return run(
    process.execPath,
    ["--import", "tsx", path.join(PROJECT_ROOT, "ops", "export", "export-cli.ts"), ...args],
    { env: testEnv(), timeout: 120_000 },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

/** Rows of a DuckDB query as plain objects, numbers as numbers. */
async function duck(connection: DuckDBConnection, sql: string) {
  const reader = await connection.runAndReadAll(sql);
  return reader
    .getRowObjectsJson()
    .map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v,
        ]),
      ),
    );
}

/** Count rows in one order, whatever each engine's ORDER BY does with an ENUM. */
const sorted = (rows: Record<string, unknown>[]) =>
  rows.sort((a, b) =>
    `${a.day} ${a.symbol} ${a.kind}`.localeCompare(`${b.day} ${b.symbol} ${b.kind}`),
  );

describeWithStores("the export for analysts (npm run export)", function () {
  this.timeout(240_000);
  const events = generateEventStream({ sessions: 3000, days: 6, seed: 71, start: "2017-06-28" });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "vg-export-"));
  let backend: GraphBackend;
  let connection: DuckDBConnection;
  /** Per UTC day, symbol and kind, by SQL over the log. */
  let truth: Record<string, unknown>[];

  before(async function () {
    this.timeout(120_000);
    backend = await openEmptyGraphBackend(replayClock(events));
    await feedEvents(backend, events);
    const [rows] = await backend.pool.query<RowDataPacket[]>(
      "SELECT DATE_FORMAT(created_at, '%Y-%m-%d') AS day, symbol, kind, COUNT(*) AS n " +
        "FROM events GROUP BY day, symbol, kind ORDER BY day, symbol, kind",
    );
    truth = sorted(
      rows.map((r) => ({ day: r.day, symbol: r.symbol, kind: r.kind, n: Number(r.n) })),
    );
    connection = await (await DuckDBInstance.create(":memory:")).connect();
    await connection.run("SET TimeZone = 'UTC'");
  });
  after(async () => {
    connection?.closeSync();
    await backend?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** The same counts from the files, through DuckDB and the partition column. */
  const countsFromFiles = async (glob: string, reader: "read_parquet" | "read_csv") =>
    sorted(
      await duck(
        connection,
        `SELECT strftime(date, '%Y-%m-%d') AS day, symbol, kind, COUNT(*) AS n ` +
          `FROM ${reader}('${glob}', hive_partitioning = true) GROUP BY ALL`,
      ),
    );

  it("when the log is exported as Parquet, then DuckDB reads back the counts per symbol and day that SQL gives", async () => {
    const out = path.join(work, "parquet");
    const result = await exportCli("--from", "2017-06-27", "--to", "2017-07-08", "--out", out);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/exported \d+ events of 11 days/);
    expect(fs.readdirSync(out).filter((d) => d.startsWith("date="))).to.have.length(11);
    expect(await countsFromFiles(`${out}/*/*.parquet`, "read_parquet")).to.deep.equal(truth);
  });

  it("when a Parquet row is read back, then every column has its documented type and value", async () => {
    const out = path.join(work, "parquet");
    const [[first]] = await backend.pool.query<RowDataPacket[]>(
      "SELECT e.id, e.uuid, DATE_FORMAT(e.created_at, '%Y-%m-%d %H:%i:%s.%f') AS at, " +
        "DATE_FORMAT(i.created_at, '%Y-%m-%d %H:%i:%s.%f') AS session_at " +
        "FROM events e JOIN events i ON i.initial_uuid = e.uuid WHERE e.kind = 'followup' ORDER BY e.id LIMIT 1",
    );
    const rows = await duck(
      connection,
      `SELECT typeof(id) AS id_type, typeof(guess) AS guess_type, typeof(created_at) AS at_type, ` +
        `uuid, strftime(created_at, '%Y-%m-%d %H:%M:%S.%f') AS at, ` +
        `strftime(session_created_at, '%Y-%m-%d %H:%M:%S.%f') AS session_at ` +
        `FROM read_parquet('${out}/*/*.parquet') WHERE id = ${first!.id}`,
    );
    expect(rows).to.deep.equal([
      {
        id_type: "UBIGINT",
        guess_type: "BOOLEAN",
        at_type: "TIMESTAMP WITH TIME ZONE",
        uuid: first!.uuid,
        at: first!.at,
        session_at: first!.session_at,
      },
    ]);
  });

  it("when the log is exported as CSV, then the counts per symbol and day are SQL's too", async () => {
    const out = path.join(work, "csv");
    const result = await exportCli(
      "--from",
      "2017-06-27",
      "--to",
      "2017-07-08",
      "--format",
      "csv",
      "--out",
      out,
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(await countsFromFiles(`${out}/*/*.csv`, "read_csv")).to.deep.equal(truth);
  });

  it("when an export is run again after one day was lost half-way, then only that day is written again", async () => {
    const out = path.join(work, "parquet");
    const lost = path.join(out, "date=2017-06-30");
    fs.rmSync(path.join(lost, "events.parquet"));
    fs.writeFileSync(path.join(lost, "events.csv.partial"), "id,writer_id\n1,");
    const kept = path.join(out, "date=2017-07-01", "events.parquet");
    const keptTime = fs.statSync(kept).mtimeMs;
    const result = await exportCli("--from", "2017-06-27", "--to", "2017-07-08", "--out", out);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.match(/10 days already written, skipped/);
    expect(result.stdout).to.match(/of 1 days/);
    expect(fs.readdirSync(lost)).to.deep.equal(["events.parquet"]);
    expect(fs.statSync(kept).mtimeMs).to.equal(keptTime);
    expect(await countsFromFiles(`${out}/*/*.parquet`, "read_parquet")).to.deep.equal(truth);
  });

  it("when the output directory holds something else, then the export refuses to write there", async () => {
    const out = path.join(work, "occupied");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "notes.txt"), "mine");
    const result = await exportCli("--from", "2017-06-27", "--to", "2017-07-08", "--out", out);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/not an export directory/);
    expect(fs.readdirSync(out)).to.deep.equal(["notes.txt"]);
  });

  it("when an export in another format is there, then it is overwritten only with --overwrite", async () => {
    const out = path.join(work, "csv");
    const refused = await exportCli("--from", "2017-06-27", "--to", "2017-07-08", "--out", out);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/as csv; this is log .* as parquet: .*--overwrite/);
    const result = await exportCli(
      "--from",
      "2017-06-27",
      "--to",
      "2017-07-08",
      "--out",
      out,
      "--overwrite",
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(await countsFromFiles(`${out}/*/*.parquet`, "read_parquet")).to.deep.equal(truth);
  });
});
