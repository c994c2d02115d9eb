import { expect } from "chai";
import { randomUUID } from "node:crypto";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { loadConfig } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { LogTruth } from "../../ops/log-truth.js";
import { resetStores, testConfig, testEnv } from "../support/graph-stores.js";
import {
  expectAcknowledgedStored,
  expectDashboardsEqualLog,
  postUntil,
} from "../support/load-loop.js";
import { freePort, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { eventually } from "../support/services.js";
import { request } from "../support/test-server.js";
import { describeWithStores } from "../support/stores-available.js";
import { projectorProcessPids, workerPids } from "../support/processes.js";

/** The pid of the process that holds the projector lease now (holders are host:pid:nonce). */
async function projectorPid(pool: Pool): Promise<number | null> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT holder FROM leases WHERE name LIKE 'projector:%' AND expires_at >= NOW(6)",
  );
  const holder = rows[0]?.holder as string | undefined;
  return holder ? Number(holder.split(":")[1]) : null;
}

describeWithStores("graph backend: many API processes on one log", () => {
  let pool: Pool;
  const servers: ServerProcess[] = [];

  before(async () => {
    await resetStores();
    pool = createMariadbPool(testConfig().mariadb);
  });
  after(async () => {
    for (const server of servers) server.child.kill("SIGKILL");
    await pool.end();
  });

  it("when WORKERS=4 serve 64 clients for 60 s while workers and the projector are SIGKILLed, then the graph equals the log", async function () {
    this.timeout(300_000);
    // A fixed port: while every worker is restarting, node:cluster closes the shared socket,
    // and a new listen on port 0 would pick another one.
    const port = String(await freePort());
    const env = testEnv({ WORKERS: "4", PORT: port });
    const server = await startServerProcess(env);
    servers.push(server);
    const main = server.child.pid!;
    // Four API workers and, under PROJECTOR=process, the projector's own process.
    const projectorProcesses = loadConfig(env).projector === "process" ? 1 : 0;
    const all = () => [...workerPids(main), ...projectorProcessPids(main)];
    const complete = () =>
      workerPids(main).length === 4 && projectorProcessPids(main).length === projectorProcesses;
    await eventually(30, async () => complete());
    let done = false;
    const load = postUntil(server.url, 64, () => done);
    const killed = { workers: 0, projectors: 0 };
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      await eventually(30, async () => complete());
      // Every third kill goes to the projector, once one holds the lease.
      const projector = killed.workers % 3 === 0 ? await projectorPid(pool) : null;
      const pids = all();
      const victim =
        projector && pids.includes(projector)
          ? projector
          : pids[Math.floor(Math.random() * pids.length)]!;
      if (victim === projector) killed.projectors++;
      process.kill(victim, "SIGKILL");
      killed.workers++;
      // The next kill once the surviving workers have answered another 200 sessions.
      const before = load.acked.initials.size;
      await eventually(60, async () => load.acked.initials.size >= before + 200);
    }
    done = true;
    const acked = await load.done;
    expect(killed.projectors, "projectors killed").to.be.at.least(3);
    expect(acked.initials.size, "the load got through").to.be.above(1000);
    await expectAcknowledgedStored(pool, acked);
    // Read-your-writes on whichever worker answers: no wait between the load and these reads.
    await expectDashboardsEqualLog(server.url, new LogTruth(pool));
    const [sequences] = await pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n, MAX(writer_seq) AS head FROM events GROUP BY writer_id",
    );
    for (const row of sequences)
      expect(Number(row.n), "a writer's sequence has no gaps").to.equal(Number(row.head));
    server.child.kill("SIGTERM");
    await server.exited;
  });

  it("when WORKERS=2 and each POST is read back at once on a new connection, then every read includes it, on both workers", async function () {
    this.timeout(120_000);
    // At debug level every reply is in the access log, with the pid of the worker that sent it.
    const server = await startServerProcess(testEnv({ WORKERS: "2", LOG_LEVEL: "debug" }));
    servers.push(server);
    await eventually(30, async () => workerPids(server.child.pid!).length === 2);
    const pids = workerPids(server.child.pid!);
    // A new connection per request: node:cluster deals connections to the workers in turn. A
    // read answers from what the projector (in a process of its own, or in the other worker)
    // told its worker (projection-peers.ts) or, failing that, asks the graph.
    const send = async (method: string, path: string) => {
      const reply = await request(server.url, method, path, { headers: { Connection: "close" } });
      expect(reply.status, `${method} ${path}`).to.equal(200);
      return reply.body;
    };
    const count = async () =>
      (JSON.parse(await send("GET", "/dashboard/symbol/q")) as { count: number }).count;
    const misses: string[] = [];
    let before = await count();
    for (let i = 0; i < 200; i++) {
      // Connections alternate between the workers, so each read lands on the worker that did
      // not take its POST; one more request every other round swaps which worker is which.
      if (i % 2 === 1) await send("GET", "/healthz");
      await send("POST", `/initial?uuid=${randomUUID()}&symbol=q`);
      const after = await count();
      if (after !== before + 1) misses.push(`round ${i}: ${before} -> ${after}`);
      before = after;
    }
    expect(misses, "reads that missed the POST just answered").to.deep.equal([]);
    const readsBy = (pid: number) =>
      server
        .output()
        .split("\n")
        .filter(
          (l) => l.includes(`"pid":${pid},`) && l.includes('"msg":"GET /dashboard/symbol/q 200"'),
        ).length;
    for (const pid of pids) expect(readsBy(pid), `reads answered by worker ${pid}`).to.be.above(20);
    server.child.kill("SIGTERM");
    await server.exited;
  });

  it("when a second service is started by hand on the same log, then both write and the graph stays exact", async function () {
    this.timeout(180_000);
    const first = await startServerProcess(testEnv());
    const second = await startServerProcess(testEnv());
    servers.push(first, second);
    let done = false;
    const loads = [first, second].map((s) => postUntil(s.url, 16, () => done).done);
    await eventually(60, async () => {
      const [rows] = await pool.query<RowDataPacket[]>(
        "SELECT COUNT(DISTINCT writer_id) AS writers, COUNT(*) AS n FROM events WHERE created_at > NOW(6) - INTERVAL 1 MINUTE",
      );
      return Number(rows[0]!.writers) >= 2 && Number(rows[0]!.n) > 2000;
    });
    done = true;
    for (const acked of await Promise.all(loads)) await expectAcknowledgedStored(pool, acked);
    await expectDashboardsEqualLog(first.url, new LogTruth(pool));
    await expectDashboardsEqualLog(second.url, new LogTruth(pool));
    for (const s of [first, second]) s.child.kill("SIGTERM");
    await Promise.all([first.exited, second.exited]);
  });
});
