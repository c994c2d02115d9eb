import { randomUUID } from "node:crypto";
import http from "node:http";
import { expect } from "chai";
import mysql, { type Pool, type RowDataPacket } from "mysql2/promise";
import { startPrivateMariadb, type PrivateMariadb } from "../support/private-mariadb.js";
import { freePort, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { eventually } from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";

/** A refused write is answered at once: no connect timeout, no query timeout in between. */
const REFUSAL_BOUND_MS = 3000;
/**
 * The system tablespace's fixed ceiling: with innodb_file_per_table off, the log's tables live
 * in ibdata1, which may grow to this and no further. Its "table is full" (1114,
 * ER_RECORD_FILE_FULL) is the error InnoDB gives when a disk really is full (extending a data
 * file fails with ENOSPC: "preallocating … failed with error 28", then "The table … is full"),
 * without mounting a small filesystem, which a CI container may not allow.
 */
const TABLESPACE_MAX_MB = 24;

interface Reply {
  uuid: string;
  kind: "initial" | "followup";
  status: number;
  error: string | null;
  ms: number;
}

describeWithStores("MariaDB refusing writes, on a server of the spec's own", function () {
  this.timeout(60_000);
  let mariadb: PrivateMariadb | undefined;
  let service: ServerProcess | undefined;
  let pool: Pool | undefined;
  // As many connections as the load has clients, each kept for the next request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const post = (kind: Reply["kind"], uuid: string, symbol = "e") =>
    new Promise<Reply>((resolve, reject) => {
      const started = performance.now();
      const path =
        kind === "initial" ? `/initial?uuid=${uuid}&symbol=${symbol}` : `/followup?uuid=${uuid}`;
      const req = http.request(new URL(path, service!.url), {
        method: "POST",
        agent,
        headers: { accept: "application/json" },
      });
      req.on("response", (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => {
          const json = (res.headers["content-type"] ?? "").includes("json");
          resolve({
            uuid,
            kind,
            status: res.statusCode ?? 0,
            error: json ? ((JSON.parse(body) as { error?: string }).error ?? null) : null,
            ms: performance.now() - started,
          });
        });
      });
      req.on("error", reject);
      req.setTimeout(20_000, () => req.destroy(new Error(`${path}: no reply within 20 s`)));
      req.end();
    });

  /** The events the log holds for these uuids, by kind: SQL over the log, the ground truth. */
  const stored = async (uuids: string[]) => {
    const [rows] = await pool!.query<RowDataPacket[]>(
      "SELECT uuid, kind, COUNT(*) AS n FROM events WHERE uuid IN (?) GROUP BY uuid, kind",
      [uuids.length > 0 ? uuids : [""]],
    );
    return new Map(rows.map((row) => [`${row.kind} ${row.uuid}`, Number(row.n)]));
  };
  const eventCount = async () => {
    const [rows] = await pool!.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM events");
    return Number(rows[0]!.n);
  };

  before(async function () {
    this.timeout(120_000);
    mariadb = await startPrivateMariadb({
      options: [
        "--innodb-file-per-table=OFF",
        `--innodb-data-file-path=ibdata1:12M:autoextend:max:${TABLESPACE_MAX_MB}M`,
        "--innodb-autoextend-increment=1",
      ],
    });
    pool = mysql.createPool({
      host: mariadb.host,
      port: mariadb.port,
      user: mariadb.user,
      password: mariadb.password,
      database: mariadb.database,
      dateStrings: true,
      connectionLimit: 2,
    });
    // No Neo4j where it points (a port that was free a moment ago): writes need only MariaDB,
    // and nothing of this spec's log reaches the tests' graph.
    service = await startServerProcess({
      ...process.env,
      DATA_INTERFACE: "graph",
      WORKERS: "1",
      MARIADB_HOST: mariadb.host,
      MARIADB_PORT: String(mariadb.port),
      MARIADB_USER: mariadb.user,
      MARIADB_PASSWORD: mariadb.password,
      MARIADB_DATABASE: mariadb.database,
      NEO4J_URI: `bolt://127.0.0.1:${await freePort()}`,
      NEO4J_URIS: "",
    });
  });

  after(async function () {
    this.timeout(60_000);
    agent.destroy();
    if (service) {
      service.child.kill("SIGKILL");
      await service.exited;
    }
    await pool?.end();
    await mariadb?.remove();
  });

  it("when MariaDB is read-only, then POSTs are 503 naming it at once, nothing is written, and they succeed again after", async () => {
    const before = await Promise.all(
      Array.from({ length: 10 }, () => post("initial", randomUUID())),
    );
    expect(before.map((r) => r.status)).to.deep.equal(Array(10).fill(200));
    const count = await eventCount();

    // The API's account has no READ_ONLY ADMIN (nor SUPER): read_only applies to it.
    await mariadb!.admin("SET GLOBAL read_only = 1");
    const refused = await Promise.all([
      ...Array.from({ length: 40 }, () => post("initial", randomUUID())),
      ...before.map((r) => post("followup", r.uuid)),
    ]);
    for (const reply of refused) {
      expect(reply.status, JSON.stringify(reply)).to.equal(503);
      expect(reply.error, "the JSON error names the reason").to.match(/MariaDB.*read-only/);
      expect(reply.ms, "answered at once").to.be.below(REFUSAL_BOUND_MS);
    }
    expect(await eventCount(), "nothing was written").to.equal(count);

    await mariadb!.admin("SET GLOBAL read_only = 0");
    const after = await Promise.all([
      ...Array.from({ length: 10 }, () => post("initial", randomUUID())),
      ...before.map((r) => post("followup", r.uuid)),
    ]);
    expect(after.map((r) => r.status)).to.deep.equal(Array(20).fill(200));
    const log = await stored(after.map((r) => r.uuid));
    for (const reply of after)
      expect(log.get(`${reply.kind} ${reply.uuid}`), reply.uuid).to.equal(1);
    expect(await eventCount()).to.equal(count + 20);
  });

  it("when the log's tablespace fills up under load, then POSTs are 503 naming it, never 500, and every 200 is stored", async () => {
    // Fill the tablespace to its ceiling with tables of the spec's own (as the API's account),
    // `spare` (400 kB) given back just before the load: the load fills what is left.
    const pad = (table: string, rows: number, bytes = 4000) =>
      pool!.query(`INSERT INTO ${table} (pad) SELECT REPEAT('x', ${bytes}) FROM seq_1_to_${rows}`);
    for (const table of ["spare", "filler"]) {
      await pool!.query(
        `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(4000)) ENGINE=InnoDB`,
      );
    }
    await pad("spare", 100);
    // `filler` up to the ceiling, then whatever smaller rows still fit, down to one short row.
    for (const [rows, bytes] of [
      [50, 4000],
      [1, 4000],
      [1, 100],
    ] as const) {
      for (let i = 0; ; i++) {
        const error = await pad("filler", rows, bytes).then(
          () => null,
          (thrown: { code?: string }) => thrown,
        );
        if (error?.code === "ER_RECORD_FILE_FULL") break;
        if (error) throw error;
        expect(i, "the tablespace stops at its ceiling").to.be.below(10_000);
      }
    }
    await pool!.query("DROP TABLE spare");

    const countBefore = await eventCount();
    const replies: Reply[] = [];
    let refused = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (refused < 200 && Date.now() - started < 30_000) {
          const initial = await post("initial", randomUUID(), "a");
          replies.push(initial);
          if (initial.status !== 200) refused++;
          else replies.push(await post("followup", initial.uuid));
        }
      }),
    );
    const statuses = new Map<number, number>();
    for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const summary = JSON.stringify([...statuses]);
    expect([...statuses.keys()].sort(), `statuses ${summary}`).to.deep.equal([200, 503]);
    expect(statuses.get(200), `some fitted before it filled: ${summary}`).to.be.above(50);
    expect(refused, `it filled: ${summary}`).to.be.at.least(200);
    for (const r of replies.filter((each) => each.status === 503)) {
      expect(r.error, "the JSON error names the reason").to.match(/MariaDB.*disk is full/);
      expect(r.ms, "answered at once").to.be.below(REFUSAL_BOUND_MS);
    }

    // SQL over the log: every 200 is stored once, no 503 is stored at all.
    const log = await stored(replies.map((r) => r.uuid));
    for (const r of replies) {
      expect(
        log.get(`${r.kind} ${r.uuid}`) ?? 0,
        `${r.kind} ${r.uuid} answered ${r.status}`,
      ).to.equal(r.status === 200 ? 1 : 0);
    }
    expect(await eventCount()).to.equal(countBefore + statuses.get(200)!);

    // Space given back: writes succeed again, without a restart.
    await pool!.query("DROP TABLE filler");
    // (The dropped table's pages are free once purge has run: within moments.)
    let again: Reply | undefined;
    await eventually(10, async () => (again = await post("initial", randomUUID())).status === 200);
    expect((await stored([again!.uuid])).get(`initial ${again!.uuid}`)).to.equal(1);
  });
});
