import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import { LogTruth } from "../../ops/log-truth.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { openEmptyGraphBackend } from "../support/graph-stores.js";
import {
  eventually,
  service,
  TEST_MARIADB_SERVICE,
  TEST_NEO4J_SERVICE,
} from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";
import { getJson, request, serve, type TestServer } from "../support/test-server.js";

describeWithStores("graph backend: store outages", function () {
  // Each test stops and starts a server (up to 180 s each, services.ts) and waits 60 s at most.
  this.timeout(480_000);
  let backend: GraphBackend;
  let server: TestServer;

  before(async () => {
    backend = await openEmptyGraphBackend();
    server = await serve(backend);
  });
  after(async () => {
    // Whatever happened above, leave both servers running for the specs after this one.
    await service("start", TEST_MARIADB_SERVICE);
    await service("start", TEST_NEO4J_SERVICE);
    await server.close();
    await backend.close();
  });

  /** Posts `n` sessions (every other one with a followup); returns the statuses seen. */
  async function postSessions(n: number) {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const uuid = randomUUID();
      const symbol = SYMBOLS[i % 26]!;
      statuses.push(
        (await request(server.url, "POST", `/initial?uuid=${uuid}&symbol=${symbol}`)).status,
      );
      if (i % 2 === 0)
        statuses.push((await request(server.url, "POST", `/followup?uuid=${uuid}`)).status);
    }
    return statuses;
  }

  const dashboardsEqualLog = async () => {
    const truth = await new LogTruth(backend.pool).symbolAggregates();
    for (const [i, symbol] of SYMBOLS.entries()) {
      const reply = await getJson(server.url, `/dashboard/symbol/${symbol}`);
      if (reply.status !== 200 || JSON.stringify(reply.json) !== JSON.stringify(truth[i])) {
        return false;
      }
    }
    return true;
  };

  it("when Neo4j stops, then POSTs still succeed and dashboards answer 503; when it is back, exact again", async () => {
    expect(await postSessions(20)).to.satisfy((s: number[]) => s.every((x) => x === 200));
    await service("stop", TEST_NEO4J_SERVICE);

    const started = Date.now();
    const during = await postSessions(40);
    expect(
      during.every((status) => status === 200),
      `statuses ${during}`,
    ).to.equal(true);
    expect(Date.now() - started, "POSTs do not hang on the graph").to.be.below(30_000);

    const asked = Date.now();
    const dashboard = await request(server.url, "GET", "/dashboard/symbol/a");
    expect(dashboard.status).to.equal(503);
    expect(JSON.parse(dashboard.body).error).to.match(/Neo4j/);
    expect(Date.now() - asked, "503 comes quickly").to.be.below(6000);
    const range = await request(server.url, "GET", "/dashboard/range/2000-01-01/2100-01-01");
    expect(range.status).to.equal(503);

    await service("start", TEST_NEO4J_SERVICE);
    // No restart of the service: the projection reconnects and catches up by itself.
    await eventually(60, dashboardsEqualLog);
  });

  it("when MariaDB stops, then POSTs answer 503 quickly and nothing hangs; when it is back, POSTs succeed", async () => {
    await service("stop", TEST_MARIADB_SERVICE);
    const asked = Date.now();
    const initial = await request(server.url, "POST", `/initial?uuid=${randomUUID()}&symbol=e`);
    expect(initial.status).to.equal(503);
    expect(JSON.parse(initial.body).error).to.match(/MariaDB/);
    const followup = await request(server.url, "POST", `/followup?uuid=${randomUUID()}`);
    expect(followup.status).to.equal(503);
    expect(Date.now() - asked, "503 comes quickly").to.be.below(6000);

    await service("start", TEST_MARIADB_SERVICE);
    await eventually(30, async () => (await postSessions(1)).every((status) => status === 200));
    expect(await postSessions(10)).to.satisfy((s: number[]) => s.every((x) => x === 200));
    await eventually(30, dashboardsEqualLog);
  });
});
