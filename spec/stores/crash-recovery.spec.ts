import { expect } from "chai";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { LogTruth } from "../../ops/log-truth.js";
import { resetStores, testConfig, testEnv } from "../support/graph-stores.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { eventually } from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";
import {
  expectAcknowledgedStored,
  expectDashboardsEqualLog,
  postUntil,
  untilUnderLoad,
} from "../support/load-loop.js";
import { getJson } from "../support/test-server.js";

describeWithStores("graph backend: the server process killed under load", function () {
  // Waits inside: a server start (up to 60 s), the load under way (60 s), the catch-up (60 s).
  this.timeout(300_000);
  let pool: Pool;
  let server: ServerProcess | undefined;

  before(async () => {
    await resetStores();
    pool = createMariadbPool(testConfig().mariadb);
  });
  after(async () => {
    server?.child.kill("SIGKILL");
    await pool.end();
  });

  it("when killed with SIGKILL mid-load, then no acknowledged event is lost and the graph catches up", async () => {
    server = await startServerProcess(testEnv());
    const victim = server;
    let killed = false;
    const load = postUntil(victim.url, 32, () => killed);
    await untilUnderLoad(load.acked);
    victim.child.kill("SIGKILL");
    killed = true;
    await victim.exited;
    const acked = await load.done;

    await expectAcknowledgedStored(pool, acked);

    server = await startServerProcess(testEnv());
    // The restarted server may listen before its graph has caught up (dashboards 503 till then).
    const url = server.url;
    await eventually(60, async () => (await getJson(url, "/dashboard/symbol/a")).status === 200);
    await expectDashboardsEqualLog(server.url, new LogTruth(pool));
    server.child.kill("SIGTERM");
    await server.exited;
  });

  it("when sent SIGTERM under load, then it finishes in-flight requests, stores each, and exits 0", async () => {
    server = await startServerProcess(testEnv());
    const [before] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM events");
    const stopping = server;
    let stopped = false;
    const load = postUntil(stopping.url, 32, () => stopped);
    await untilUnderLoad(load.acked);
    const inFlightAtSigterm = load.acked.inFlight;
    stopping.child.kill("SIGTERM");
    const exitCode = new Promise<number | null>((resolve) => stopping.child.once("exit", resolve));
    await stopping.exited;
    stopped = true;
    const acked = await load.done;
    expect(await exitCode).to.equal(0);
    expect(inFlightAtSigterm, "requests in flight at SIGTERM").to.be.above(0);

    const [initialRows] = await pool.query<RowDataPacket[]>(
      "SELECT uuid FROM events WHERE kind = 'initial'",
    );
    const stored = new Set(initialRows.map((r) => r.uuid as string));
    expect([...acked.initials].filter((uuid) => !stored.has(uuid))).to.deep.equal([]);
    const [after] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM events");
    const followups = [...acked.followups.values()].reduce((a, b) => a + b, 0);
    expect(Number(after[0]!.n) - Number(before[0]!.n)).to.be.at.least(
      acked.initials.size + followups,
    );
  });
});
