import { randomUUID } from "node:crypto";
import http from "node:http";
import { expect } from "chai";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { createMariadbPool } from "../../lib/graph/mariadb.js";
import { LogTruth } from "../../ops/log-truth.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { MICROS_PER_DAY, parseTimestamp } from "../../lib/model/timestamp.js";
import { resetStores, testConfig, testEnv } from "../support/graph-stores.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { eventually } from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";
import { getJson } from "../support/test-server.js";

interface Acknowledged {
  initials: Set<string>;
  followups: Map<string, number>;
  /** Requests sent and not yet answered, now. */
  inFlight: number;
}

/** Acknowledged initials the load must have before the server is stopped: it is under way. */
const UNDER_LOAD = 200;

/**
 * Posts sessions from `workers` loops until `stop()` is true; `acked` records every 200 as it
 * comes, `done` resolves when the loops have stopped.
 */
function postUntil(url: string, workers: number, stop: () => boolean) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const acked: Acknowledged = { initials: new Set(), followups: new Map(), inFlight: 0 };
  const post = (path: string) =>
    new Promise<number>((resolve) => {
      acked.inFlight++;
      const answered = (status: number) => {
        acked.inFlight--;
        resolve(status);
      };
      const req = http.request(new URL(path, url), { method: "POST", agent }, (res) => {
        res.resume();
        res.on("end", () => answered(res.statusCode ?? 0));
      });
      req.on("error", () => answered(0));
      req.end();
    });
  const done = Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; !stop(); i++) {
        const uuid = randomUUID();
        if ((await post(`/initial?uuid=${uuid}&symbol=${SYMBOLS[(w + i) % 26]}`)) !== 200) continue;
        acked.initials.add(uuid);
        if (i % 3 === 0 && (await post(`/followup?uuid=${uuid}`)) === 200) {
          acked.followups.set(uuid, (acked.followups.get(uuid) ?? 0) + 1);
        }
      }
    }),
  ).then(() => {
    agent.destroy();
    return acked;
  });
  return { acked, done };
}

/** Waits until the load has had UNDER_LOAD initials acknowledged and has requests in flight. */
async function untilUnderLoad(acked: Acknowledged) {
  await eventually(60, async () => acked.initials.size >= UNDER_LOAD && acked.inFlight > 0);
}

/** Every symbol and every day's range from the service, against SQL over the raw log. */
async function expectDashboardsEqualLog(url: string, truth: LogTruth) {
  const symbols = await Promise.all(
    SYMBOLS.map(async (s) => (await getJson(url, `/dashboard/symbol/${s}`)).json),
  );
  expect(symbols).to.deep.equal(await truth.symbolAggregates());
  for (const [day, expected] of await truth.dailyAggregates()) {
    const lower = parseTimestamp(day)!;
    const upper = new Date((lower + MICROS_PER_DAY) / 1000).toISOString().slice(0, 10);
    expect((await getJson(url, `/dashboard/range/${day}/${upper}`)).json, day).to.deep.equal(
      expected,
    );
  }
}

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

    const [initialRows] = await pool.query<RowDataPacket[]>(
      "SELECT uuid FROM events WHERE kind = 'initial'",
    );
    const stored = new Set(initialRows.map((r) => r.uuid as string));
    const lost = [...acked.initials].filter((uuid) => !stored.has(uuid));
    expect(lost, "acknowledged initials missing from MariaDB").to.deep.equal([]);
    const [followupRows] = await pool.query<RowDataPacket[]>(
      "SELECT uuid, COUNT(*) AS n FROM events WHERE kind = 'followup' GROUP BY uuid",
    );
    const storedFollowups = new Map(followupRows.map((r) => [r.uuid as string, Number(r.n)]));
    for (const [uuid, count] of acked.followups) {
      expect(storedFollowups.get(uuid) ?? 0, `followups of ${uuid}`).to.be.at.least(count);
    }

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
