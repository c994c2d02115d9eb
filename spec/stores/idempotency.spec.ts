import { randomUUID } from "node:crypto";
import http from "node:http";
import { expect } from "chai";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { LogTruth } from "../../ops/log-truth.js";
import { resetStores, testConfig, testEnv } from "../support/graph-stores.js";
import { expectDashboardsEqualLog } from "../support/load-loop.js";
import { freePort, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { eventually } from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";
import { getJson } from "../support/test-server.js";
import { workerPids } from "../support/processes.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Reply {
  status: number;
  type: string;
  body: string;
}

/** A POST on a connection of its own (no agent), so node:cluster hands each to a worker in turn. */
function post(url: string, path: string, key?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), {
      method: "POST",
      agent: false,
      headers: key === undefined ? {} : { "Idempotency-Key": key },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body }),
      );
    });
    req.on("error", reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`${path}: no reply within 20 s`)));
    req.end();
  });
}

/** `times` copies of one request at once; every reply must equal `first`'s. */
async function repeated(url: string, path: string, key: string, times: number, first?: Reply) {
  const replies = await Promise.all(Array.from({ length: times }, () => post(url, path, key)));
  const expected = first ?? replies[0]!;
  expect(expected.status, expected.body).to.equal(200);
  for (const reply of replies) expect(reply).to.deep.equal(expected);
  return expected;
}

describeWithStores("Idempotency-Key over HTTP, across workers and restarts", function () {
  this.timeout(60_000);
  let pool: Pool;
  let service: ServerProcess | undefined;
  let port: string;

  /** A WORKERS=2 service on the tests' stores, with the access log of every POST. */
  const startService = async () => {
    service = await startServerProcess(testEnv({ WORKERS: "2", PORT: port, LOG_LEVEL: "debug" }));
    const main = service.child.pid!;
    // Both workers listening (each says so), not just forked.
    await eventually(60, async () => {
      const pids = workerPids(main);
      const listening = pids.filter((pid) => service!.output().includes(`worker ${pid} of 2`));
      return pids.length === 2 && listening.length === 2;
    });
    return service;
  };

  /** SIGKILL of the main process and of every worker at once: nothing drains. */
  const killService = async () => {
    const pids = [service!.child.pid!, ...workerPids(service!.child.pid!)];
    for (const pid of pids) process.kill(pid, "SIGKILL");
    await service!.exited;
    await eventually(10, async () => !pids.some(alive));
    service = undefined;
  };

  /** The log's rows for a session: how many of each kind, and under which keys. */
  const logged = async (uuid: string) => {
    const [rows] = await pool.query<RowDataPacket[]>(
      "SELECT kind, request_key AS `key` FROM events WHERE uuid = ? ORDER BY id",
      [uuid],
    );
    return rows.map((row) => `${row.kind} ${row.key}`);
  };

  /** The workers that answered `path` with 200, from the access log (one line per reply). */
  const answeredBy = (path: string) => {
    const pids = new Set<number>();
    for (const line of service!.output().split("\n")) {
      if (!line.includes(`"POST ${path} 200"`)) continue;
      pids.add((JSON.parse(line) as { pid: number }).pid);
    }
    return pids;
  };

  before(async function () {
    this.timeout(120_000);
    await resetStores();
    pool = createMariadbPool(testConfig().mariadb);
    // One port throughout: the service started again is where the client retries.
    port = String(await freePort());
  });

  after(async function () {
    this.timeout(30_000);
    if (service) await killService();
    await pool.end();
  });

  it("when the same keyed POSTs come at once to two workers, and again after a SIGKILL of the service, then each is answered as the first time and counted once", async function () {
    this.timeout(120_000);
    const { url } = await startService();
    const uuid = randomUUID();
    const initialPath = `/initial?uuid=${uuid}&symbol=e`;
    const followupPath = `/followup?uuid=${uuid}`;
    const initialKey = `initial-${randomUUID()}`;
    const followupKey = `followup-${randomUUID()}`;

    const initial = await repeated(url, initialPath, initialKey, 100);
    expect(initial.body).to.be.oneOf(["True", "False"]);
    const followup = await repeated(url, followupPath, followupKey, 200);
    expect(followup.body).to.equal("hooray");
    const workers = workerPids(service!.child.pid!);
    expect([...answeredBy(followupPath)].sort(), "both workers answered").to.deep.equal(
      workers.sort(),
    );
    const once = [`initial ${initialKey}`, `followup ${followupKey}`];
    expect(await logged(uuid), "SQL over the log").to.deep.equal(once);
    // A cold graph may take longer than a read waits to apply its first batch: the test waits.
    await eventually(60, async () => (await getJson(url, "/dashboard/symbol/e")).status === 200);
    expect((await getJson(url, "/dashboard/symbol/e")).json).to.include({ count: 1, followups: 1 });

    await killService();
    const again = await startService();
    await repeated(again.url, initialPath, initialKey, 20, initial);
    await repeated(again.url, followupPath, followupKey, 50, followup);
    expect(await logged(uuid), "still once").to.deep.equal(once);
    await expectDashboardsEqualLog(again.url, new LogTruth(pool));
    const after = await getJson(again.url, "/dashboard/symbol/e");
    expect(after.json).to.include({ count: 1, followups: 1 });

    // Without a key, a repeated followup counts again, as in the original.
    expect((await post(again.url, followupPath)).status).to.equal(200);
    expect((await post(again.url, followupPath)).status).to.equal(200);
    expect(await logged(uuid)).to.deep.equal([...once, "followup null", "followup null"]);
  });

  it("when a key comes back with another request, then it is 422 naming the key, and nothing is written", async function () {
    this.timeout(120_000);
    const { url } = service ?? (await startService());
    const uuid = randomUUID();
    const other = randomUUID();
    const key = randomUUID();
    await repeated(url, `/initial?uuid=${uuid}&symbol=o`, key, 1);
    expect((await post(url, `/initial?uuid=${other}&symbol=o`, randomUUID())).status).to.equal(200);
    const [before] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM events");

    for (const path of [
      `/initial?uuid=${other}&symbol=o`, // another session
      `/initial?uuid=${uuid}&symbol=a`, // the same session, another symbol (409 without a key)
      `/followup?uuid=${uuid}`, // another endpoint
    ]) {
      const reply = await post(url, path, key);
      expect(reply.status, `${path}: ${reply.body}`).to.equal(422);
      expect(reply.type).to.match(/^application\/json/);
      expect((JSON.parse(reply.body) as { error: string }).error).to.include(
        `Idempotency-Key "${key}" was already used for a different request`,
      );
    }
    const [after] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM events");
    expect(Number(after[0]!.n), "nothing written").to.equal(Number(before[0]!.n));
    expect(await logged(uuid)).to.deep.equal([`initial ${key}`]);
  });
});
