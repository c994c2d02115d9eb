import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import mysql, { type RowDataPacket } from "mysql2/promise";
import { PROJECT_ROOT, loadConfig } from "../../lib/config.js";
import { openGraphBackend, type GraphBackend } from "../../lib/backend/graph-backend.js";
import { frequencyLetterStream } from "../../lib/client/letter-stream.js";
import { runLoad, type LoadSummary } from "../../lib/client/load-client.js";
import { seededRandom } from "../../lib/model/random.js";
import { takeBackup, type BackupResult } from "../../ops/backup/backup.js";
import { MANIFEST } from "../../ops/backup/backup-set.js";
import { rebuildAndVerify, restoredConfig } from "../../ops/backup/rebuild-restored.js";
import { restoreBackup, type Restored } from "../../ops/backup/restore.js";
import { startPrivateMariadb, type PrivateMariadb } from "../support/private-mariadb.js";
import { describeWithStores } from "../support/stores-available.js";
import { testConfig, wipeTestGraph } from "../support/graph-stores.js";
import { serve, type TestServer } from "../support/test-server.js";

const run = promisify(execFile);

/** Every column of every event, in log order: what "none extra, none changed" compares. */
const ALL_ROWS =
  "SELECT id, writer_id, writer_seq, kind, uuid, symbol, guess, created_at, request_key " +
  "FROM events ORDER BY id";

/** Acknowledged events by "kind symbol", from the client's own tally of its 200s. */
function acknowledged(runs: readonly LoadSummary[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string, n: number) => counts.set(key, (counts.get(key) ?? 0) + n);
  for (const summary of runs) {
    for (const [symbol, sent] of Object.entries(summary.sentBySymbol)) {
      add(`initial ${symbol}`, sent.initials);
      add(`followup ${symbol}`, sent.followups);
    }
  }
  for (const [key, n] of counts) if (n === 0) counts.delete(key);
  return counts;
}

describeWithStores("backups: a restore drill on real servers", function () {
  // A private MariaDB, minutes of load, a backup, a restore, a bulk import into neo4j-test.
  this.timeout(900_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "vg-restore-drill-"));
  // The restored server runs as the mysql account (the tests run as root): it must reach its
  // directory. The backups below stay private (0700).
  fs.chmodSync(work, 0o755);
  const binlogDir = path.join(work, "binlog");
  const backupDir = path.join(work, "backups");
  let source: PrivateMariadb;
  let backend: GraphBackend;
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  /** The source's service, closed by the graph check (before the rebuild replaces its graph). */
  let closed = false;
  const random = seededRandom(23);
  const letters = frequencyLetterStream(random);
  /** One second of the client's mix at concurrency 8 against the source. */
  const oneSecondOfLoad = () =>
    runLoad({ baseUrl: server.url, durationSeconds: 1, concurrency: 8, letters, random });
  const rows = async (port: number) => {
    const connection = await mysql.createConnection({
      host: "127.0.0.1",
      port,
      user: source.user,
      password: source.password,
      database: source.database,
      dateStrings: true,
    });
    try {
      const [result] = await connection.query<RowDataPacket[]>(ALL_ROWS);
      return result;
    } finally {
      await connection.end();
    }
  };

  before(async function () {
    this.timeout(180_000);
    fs.mkdirSync(binlogDir);
    source = await startPrivateMariadb({
      options: [
        `--log-bin=${binlogDir}/mariadb-bin`,
        "--binlog-format=ROW",
        "--server-id=1",
        "--sync-binlog=1",
      ],
    });
    env = {
      ...process.env,
      MARIADB_HOST: source.host,
      MARIADB_PORT: String(source.port),
      MARIADB_USER: source.user,
      MARIADB_PASSWORD: source.password,
      MARIADB_DATABASE: source.database,
    };
    // The tests' graph follows this spec's own log while the source writes; emptied first, so it
    // takes this log's name.
    await wipeTestGraph(testConfig().neo4j.uri);
    backend = await openGraphBackend(
      loadConfig({ ...env, DATA_INTERFACE: "graph", NEO4J_URI: testConfig().neo4j.uri }),
    );
    server = await serve(backend);
  });

  after(async () => {
    if (!closed) {
      await server?.close();
      await backend?.close();
    }
    await source?.remove();
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe("when a backup is taken under the client's mix and the log is restored to a moment after it", () => {
    const warmUp: LoadSummary[] = [];
    const during: LoadSummary[] = [];
    const afterBackup: LoadSummary[] = [];
    const afterCut: LoadSummary[] = [];
    let backup: BackupResult;
    let cutMs: number;
    let atCut: RowDataPacket[];
    let restored: Restored;

    before(async function () {
      for (let i = 0; i < 2; i++) warmUp.push(await oneSecondOfLoad());
      let taken = false;
      const backingUp = takeBackup(
        {
          login: { socket: source.socket, user: source.adminUser },
          database: source.database,
          noDefaults: true,
        },
        { backupDir, keep: 2 },
      ).finally(() => (taken = true));
      while (!taken) during.push(await oneSecondOfLoad());
      backup = await backingUp;
      // The log keeps taking writes after the backup; they are what the binary log brings back.
      for (let i = 0; i < 3; i++) afterBackup.push(await oneSecondOfLoad());
      // Every write so far is acknowledged; the cut is the next whole second (the binary log's
      // resolution), and nothing is written until it has passed.
      cutMs = Math.ceil((Date.now() + 1) / 1000) * 1000;
      atCut = await rows(source.port);
      // The condition is the wall clock itself (the binary log's timestamps): one timer until
      // the cut has passed, not a poll.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutMs + 50 - Date.now())));
      for (let i = 0; i < 2; i++) afterCut.push(await oneSecondOfLoad());

      restored = await restoreBackup({
        backup: backup.dir,
        binlogDir,
        until: cutMs * 1000,
        target: { kind: "scratch", dir: path.join(work, "restored"), overwrite: false },
      });
    });

    after(() => restored?.server?.stop());

    it("then no request failed, before, during or after the backup, and the backup says how long commits waited", () => {
      const all = [...warmUp, ...during, ...afterBackup, ...afterCut];
      expect(all.reduce((n, s) => n + s.errors, 0)).to.equal(0);
      expect(during.length).to.be.greaterThan(0);
      expect(backup.manifest.binlog).to.not.equal(null);
      expect(backup.manifest.commit_block_ms).to.be.a("number");
      expect(fs.existsSync(path.join(backup.dir, MANIFEST))).to.equal(true);
      const p99 = (runs: LoadSummary[]) => Math.max(...runs.map((s) => s.latencyMs.p99));
      console.log(
        `      backup ${backup.manifest.backup_seconds} s under load (commits blocked ` +
          `${backup.manifest.commit_block_ms} ms); ingest p99 ${p99(warmUp).toFixed(1)} ms before, ` +
          `${p99(during).toFixed(1)} ms during (max ${Math.max(...during.map((s) => s.latencyMs.max)).toFixed(1)} ms)`,
      );
    });

    it("then every acknowledged event up to the moment is restored, none extra and none changed", async () => {
      const restoredRows = await rows(restored.port);
      expect(restoredRows).to.deep.equal(atCut);
      const byKey = new Map<string, number>();
      for (const row of restoredRows) {
        const key = `${row.kind} ${row.symbol}`;
        byKey.set(key, (byKey.get(key) ?? 0) + 1);
      }
      expect(byKey).to.deep.equal(acknowledged([...warmUp, ...during, ...afterBackup]));
      // What came after the moment is in the source, and not in the restore.
      expect(acknowledged(afterCut).size).to.be.greaterThan(0);
      expect((await rows(source.port)).length).to.be.greaterThan(restoredRows.length);
    });

    it("then the graph rebuilt from the restored log equals SQL over it", async () => {
      // The source's own projection stops first: the rebuild replaces the tests' graph.
      await server.close();
      await backend.close();
      closed = true;
      const config = restoredConfig(restored.port, source.database, testConfig().neo4j.server, env);
      const check = await rebuildAndVerify(config, () => {});
      expect(check.events).to.equal(atCut.length);
      expect(check.differences).to.equal(0);
      expect(check.questions).to.be.greaterThan(26);
    });
  });

  describe("when the backup cannot be restored", () => {
    const restoreCli = (...args: string[]) =>
      run(
        process.execPath,
        ["--import", "tsx", path.join(PROJECT_ROOT, "ops", "backup", "restore-cli.ts"), ...args],
        { env, timeout: 120_000 },
      ).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    const aBackup = () =>
      path.join(
        backupDir,
        fs.readdirSync(backupDir).find((n) => !n.startsWith("."))!,
      );
    const copyOf = (name: string) => {
      const copy = path.join(work, name);
      fs.cpSync(aBackup(), copy, { recursive: true });
      return copy;
    };

    it("when it is missing, then the restore says so and makes nothing", async () => {
      const into = path.join(work, "never");
      const result = await restoreCli(
        path.join(work, "no-such-backup"),
        "--into",
        into,
        "--no-graph",
      );
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/no backup at .*no-such-backup/);
      expect(fs.existsSync(into)).to.equal(false);
    });

    it("when it is partial (interrupted before its manifest), then the restore refuses it", async () => {
      const partial = copyOf("partial-backup");
      fs.rmSync(path.join(partial, MANIFEST));
      const result = await restoreCli(partial, "--into", path.join(work, "never"), "--no-graph");
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/partial backup: it was interrupted/);
    });

    it("when it comes from another major version of MariaDB, then the restore refuses it, naming both", async () => {
      const old = copyOf("old-backup");
      const manifest = JSON.parse(fs.readFileSync(path.join(old, MANIFEST), "utf8"));
      fs.writeFileSync(
        path.join(old, MANIFEST),
        JSON.stringify({ ...manifest, server_version: "10.6.16-MariaDB-log" }),
      );
      const result = await restoreCli(old, "--into", path.join(work, "never"), "--no-graph");
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(
        /taken from MariaDB 10\.6\.16.*this machine's mariadbd is 10\.11/s,
      );
    });

    it("when the target directory holds something, then nothing is overwritten without --overwrite", async () => {
      const into = path.join(work, "occupied");
      fs.mkdirSync(into);
      fs.writeFileSync(path.join(into, "keep-me"), "precious");
      const result = await restoreCli(aBackup(), "--into", into, "--no-graph");
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/is not empty: .*--overwrite/);
      expect(fs.readFileSync(path.join(into, "keep-me"), "utf8")).to.equal("precious");
    });
  });
});
