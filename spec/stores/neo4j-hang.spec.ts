import { randomUUID } from "node:crypto";
import { expect } from "chai";
import neo4j, { type Driver } from "neo4j-driver";
import { StoreUnavailableError } from "../../lib/backend/data-errors.js";
import { boundedRead, NEO4J_TIMEOUTS } from "../../lib/stores/neo4j.js";
import { graphBackend } from "../support/backends.js";
import { testConfig } from "../support/graph-stores.js";
import { expectJsonError, openServed, type ServedBackend } from "../support/served-backend.js";
import { eventually, service, TEST_NEO4J_SERVICE } from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";
import { getJson, request, type RawReply } from "../support/test-server.js";

/**
 * docs/operations.md's bound for a dashboard on a hung Neo4j: the wait for the graph to catch up (5 s, in
 * graph-projection.ts) when events are waiting to be applied, then the read's own wait.
 */
const CATCH_UP_WAIT_MS = 5000;
const DASHBOARD_BOUND_MS = CATCH_UP_WAIT_MS + NEO4J_TIMEOUTS.readWaitMs;
/** Scheduling on two shared cores, between the deadline and the reply reaching the test. */
const SLACK_MS = 1500;

/** Rejects after `ms`, so that a hang fails the test and the `finally` still resumes Neo4j. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Sends a request, and answers it with the reply and how long it took. */
async function timed(what: string, ms: number, send: () => Promise<RawReply>) {
  const started = performance.now();
  const reply = await within(ms, what, send());
  return { reply, ms: performance.now() - started };
}

describeWithStores("a hung Neo4j (SIGSTOP of the test server's JVM)", function () {
  // Waits inside: up to 12 s per dashboard request while stopped, 60 s to catch up after.
  this.timeout(180_000);
  let served: ServedBackend;
  let stopped = false;

  const stop = async () => {
    await service("pause", TEST_NEO4J_SERVICE);
    stopped = true;
  };
  const resume = async () => {
    if (stopped) await service("resume", TEST_NEO4J_SERVICE);
    stopped = false;
  };
  const post = (symbol: string) =>
    request(served.url, "POST", `/initial?uuid=${randomUUID()}&symbol=${symbol}`);

  before(async () => {
    served = await openServed(graphBackend);
    expect((await post("a")).status).to.equal(200);
    // The graph current and the server warm (a JVM just started may miss the first deadlines):
    // what follows is the hang alone.
    await eventually(60, async () => {
      const warm = await getJson<{ count: number }>(served.url, "/dashboard/symbol/a");
      return warm.status === 200 && warm.json.count === 1;
    });
  });

  after(async () => {
    await resume();
    await served?.close();
  });

  it("when Neo4j hangs, then dashboards answer 503 within the bound and POST /initial 200; then it catches up", async () => {
    await stop();
    try {
      // Nothing waits to be applied: the read itself meets the hang, and gives up on its clock.
      const symbol = await timed("GET /dashboard/symbol/a", DASHBOARD_BOUND_MS + 10_000, () =>
        request(served.url, "GET", "/dashboard/symbol/a"),
      );
      expectJsonError(symbol.reply, 503, /Neo4j is unavailable/);
      expect(symbol.ms, "503 within the read's wait").to.be.below(
        NEO4J_TIMEOUTS.readWaitMs + SLACK_MS,
      );

      // Writes go to MariaDB only.
      for (const letter of ["a", "b", "c"]) {
        const initial = await timed("POST /initial", 10_000, () => post(letter));
        expect(initial.reply.status, initial.reply.body).to.equal(200);
        expect(initial.ms, "POST /initial does not wait for Neo4j").to.be.below(2000);
      }

      // Now events wait to be applied, and more reads than the pool has connections.
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          timed("GET /dashboard/range", DASHBOARD_BOUND_MS + 10_000, () =>
            request(served.url, "GET", `/dashboard/range/2000-01-0${(i % 9) + 1}/2100-01-01`),
          ),
        ),
      );
      for (const { reply, ms } of burst) {
        expectJsonError(reply, 503, /Neo4j is unavailable/);
        expect(ms, "503 within the documented bound").to.be.below(DASHBOARD_BOUND_MS + SLACK_MS);
      }
      const after = await timed("POST /initial", 10_000, () => post("a"));
      expect(after.reply.status, after.reply.body).to.equal(200);
    } finally {
      await resume();
    }
    // Resumed: the projection applies what was logged meanwhile, no restart.
    await eventually(60, async () => {
      const a = await getJson<{ count: number }>(served.url, "/dashboard/symbol/a");
      return a.status === 200 && a.json.count === 3;
    });
  });

  describe("the driver's own bounds, on a driver of one connection", () => {
    let driver: Driver;

    beforeEach(async () => {
      const { uri, user, password } = testConfig().neo4j;
      driver = neo4j.driver(uri, neo4j.auth.basic(user, password), {
        maxConnectionPoolSize: 1,
        connectionAcquisitionTimeout: 500,
      });
      await boundedRead(driver, "RETURN 1", {});
    });

    afterEach(async () => {
      await resume();
      await driver.close();
    });

    it("when the one connection hangs, then the pool's acquisition timeout (code N/A) is StoreUnavailableError", async () => {
      await stop();
      try {
        const limits = { txMs: 60_000, waitMs: 20_000 };
        // Two reads for the one connection: whichever the pool hands it to hangs on it (settled
        // after the resume below); the other waits for a connection. Which one wins is the
        // driver's affair, so the test does not depend on the order they were asked in.
        const started = performance.now();
        const reads = ["RETURN 1", "RETURN 2"].map((query) =>
          boundedRead(driver, query, {}, limits).then(
            () => ({ query, error: undefined as unknown }),
            (error: unknown) => ({ query, error }),
          ),
        );
        const first = await within(10_000, "the first read to settle", Promise.race(reads));
        expect(first.error, `${first.query} was answered by a stopped server`).to.be.instanceOf(
          StoreUnavailableError,
        );
        expect((first.error as Error).message).to.match(/acquisition timed out/);
        expect(performance.now() - started).to.be.below(500 + SLACK_MS);
        await resume();
        const settled = await within(30_000, "both reads", Promise.all(reads));
        const answered = settled.filter(({ error }) => error === undefined);
        expect(
          answered,
          "the read that held the connection is answered once resumed",
        ).to.have.lengthOf(1);
      } finally {
        await resume();
      }
    });

    it("when a transaction sets no timeout, then the server's own applies (provision/neo4j/neo4j.conf.in)", async () => {
      const [setting] = await boundedRead(
        driver,
        "SHOW SETTINGS YIELD name, value WHERE name = 'db.transaction.timeout' RETURN value",
        {},
      );
      expect(setting?.get("value")).to.equal("1m");
    });

    it("when a read runs past its transaction timeout, then Neo4j stops it and it is StoreUnavailableError", async () => {
      const started = performance.now();
      const error = await boundedRead(
        driver,
        "UNWIND range(1, 10000000000) AS x RETURN count(x) AS n",
        {},
        { txMs: 300, waitMs: 20_000 },
      )
        .then(() => new Error("ten billion rows were counted within the timeout"))
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(StoreUnavailableError);
      expect((error as Error).message).to.match(/timed out|terminated/i);
      expect(
        performance.now() - started,
        "stopped by the server, long before the wait",
      ).to.be.below(300 + 5000);
    });
  });
});
