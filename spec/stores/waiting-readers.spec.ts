import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { StoreUnavailableError } from "../../lib/backend/data-errors.js";
import { openGraphBackend, type GraphBackend } from "../../lib/backend/graph-backend.js";
import { NO_TELEMETRY } from "../../lib/telemetry/telemetry.js";
import { resetStores, testConfig, untilGraphCurrent } from "../support/graph-stores.js";
import { eventually, service, TEST_NEO4J_SERVICE } from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";

/** How long a dashboard read waits for the graph (backend/graph-backend.ts), then 503. */
const CATCH_UP_WAIT_MS = 5000;
/** The poll period of the waits that leaked: one closure per reader per period. */
const OLD_POLL_MS = 100;
const READERS = 2000;
/** Timers of the process that are no reader's: the pools', the lease's, mocha's. */
const OTHER_TIMERS = 50;

const activeTimers = () =>
  process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;

describeWithStores(
  "readers waiting for a held-back graph (SIGSTOP of the test server's JVM)",
  function () {
    this.timeout(60_000);
    let backend: GraphBackend | undefined;
    let stopped = false;
    // The "readers waiting" gauge, as /metrics would show it.
    let gauge = 0;

    const resume = async () => {
      if (stopped) await service("resume", TEST_NEO4J_SERVICE);
      stopped = false;
    };

    before(async function () {
      this.timeout(120_000);
      await resetStores();
      backend = await openGraphBackend(testConfig(), {
        telemetry: {
          ...NO_TELEMETRY,
          readersWaiting: (delta) => (gauge += delta),
        },
      });
      // This process is the projector and the graph is warm: what follows is the hold-up alone.
      await backend.logInitial(randomUUID(), "a", true);
      await eventually(60, async () => {
        const server = backend!.servers[0]!;
        return server.projectingHere && (await backend!.symbolAggregates("a")).count === 1;
      });
    });

    after(async function () {
      this.timeout(120_000);
      await resume();
      if (backend) {
        await untilGraphCurrent(backend).catch(() => {});
        await backend.close();
      }
    });

    it(`when ${READERS} reads wait through a projection held back in one pass, then each holds one waiter and one timer until it gives up`, async () => {
      const gate = backend!.servers[0]!.gate;
      const baseline = activeTimers();
      await service("pause", TEST_NEO4J_SERVICE);
      stopped = true;
      // Committed in MariaDB; the projector's pass that applies it now hangs in Neo4j.
      await backend!.logInitial(randomUUID(), "a", false);

      let settled = 0;
      const reads = Array.from({ length: READERS }, async () => {
        const started = performance.now();
        const error = await backend!.symbolAggregates("a").then(
          () => null,
          (thrown: unknown) => thrown,
        );
        settled++;
        return { error, ms: performance.now() - started };
      });
      const samples: { inFlight: number; waiters: number; gauge: number; timers: number }[] = [];
      while (settled < READERS) {
        samples.push({
          inFlight: READERS - settled,
          waiters: gate.readersWaiting,
          gauge,
          timers: activeTimers() - baseline,
        });
        // The sampling interval, not a wait for anything: the loop ends when every read settled.
        await new Promise((resolve) => setTimeout(resolve, OLD_POLL_MS));
      }
      const outcomes = await Promise.all(reads);

      for (const { error, ms } of outcomes) {
        expect(error).to.be.instanceOf(StoreUnavailableError);
        expect((error as Error).message).to.match(/still catching up with the log/);
        // Through 50 of the old polls at least.
        expect(ms).to.be.at.least(CATCH_UP_WAIT_MS - 10);
      }
      const peak = Math.max(...samples.map((s) => s.waiters));
      expect(peak, "the reads waited at the same time").to.be.at.least(READERS / 2);
      for (const sample of samples) {
        const at = JSON.stringify(sample);
        expect(sample.waiters, `one waiter per waiting read: ${at}`).to.be.at.most(sample.inFlight);
        expect(sample.gauge, `the gauge counts them: ${at}`).to.equal(sample.waiters);
        expect(sample.timers, `one timer per waiting read: ${at}`).to.be.at.most(
          sample.inFlight + OTHER_TIMERS,
        );
      }
      expect(gate.readersWaiting, "none left behind").to.equal(0);
      expect(gauge).to.equal(0);
      expect(activeTimers() - baseline, "no timer left behind").to.be.at.most(OTHER_TIMERS);

      await resume();
      await eventually(60, async () => (await backend!.symbolAggregates("a")).count === 2);
    });
  },
);
