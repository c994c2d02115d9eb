import { expect } from "chai";
import { describeWithStores } from "../support/stores-available.js";
import { eventually, TEST_NEO4J_SERVICE } from "../support/services.js";
import { GraphProjection } from "../../lib/graph/graph-projection.js";
import type { GraphInterface } from "../../lib/graph/graph-interface.js";
import { rebuildGraph } from "../../ops/rebuild.js";
import { verifyGraph } from "../../ops/verify.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { parseTimestamp } from "../../lib/model/timestamp.js";
import { generateEventStream, replayClock } from "../support/event-stream.js";
import { feedEvents } from "../support/feed-events.js";
import {
  GRAPH_CURRENT_WAIT_MS,
  openEmptyGraphBackend,
  testConfig,
  untilGraphCurrent,
} from "../support/graph-stores.js";
import { openGraphInterface } from "../../lib/graph/graph-interface.js";
import { createMariadbPool, dropEventLog } from "../../lib/graph/mariadb.js";

describeWithStores("graph backend: replaying and rebuilding the graph", function () {
  // A bulk import stops and starts the test server (up to 180 s each), then 60 s to reconnect.
  this.timeout(480_000);
  let backend: GraphInterface;
  const events = generateEventStream({ sessions: 3000, days: 10, seed: 31 });

  before(async function () {
    this.timeout(60_000 + GRAPH_CURRENT_WAIT_MS);
    backend = await openEmptyGraphBackend(replayClock(events));
    await feedEvents(backend, events);
    await untilGraphCurrent(backend);
  });
  after(() => backend.close());

  /** Every dashboard answer the service gives about this history. */
  const answers = async () => ({
    symbols: await Promise.all(SYMBOLS.map((s) => backend.symbolAggregates(s))),
    span: await backend.rangeAggregates(
      parseTimestamp("2017-06-28")!,
      parseTimestamp("2017-07-20 12:34:56.789")!,
    ),
    subDay: await backend.rangeAggregates(
      parseTimestamp("2017-07-01 01:02:03.456789")!,
      parseTimestamp("2017-07-03 22:00:00")!,
    ),
  });

  it("when the whole log is applied a second time, then nothing changes", async () => {
    const before = await answers();
    const replay = new GraphProjection(backend.driver, backend.log);
    // A stale applier that believes the graph is empty: every transaction must refuse it.
    await replay.catchUp(await backend.log.lastEventId());
    expect(await answers()).to.deep.equal(before);
    expect((await verifyGraph(backend)).differences).to.deep.equal([]);
  });

  it("when the graph is rebuilt by replaying the log, then every answer is identical", async () => {
    const before = await answers();
    const applied = await rebuildGraph(backend, { kind: "replay" });
    expect(applied).to.equal(await backend.log.lastEventId());
    expect(await answers()).to.deep.equal(before);
    expect((await verifyGraph(backend)).differences).to.deep.equal([]);
  });

  it("when the graph is rebuilt by bulk import while the service runs, then every answer is identical", async () => {
    const before = await answers();
    const applied = await rebuildGraph(backend, { kind: "import", server: TEST_NEO4J_SERVICE });
    expect(applied).to.equal(await backend.log.lastEventId());
    // The service's own projection lost its server for a while; it reconnects by itself.
    await eventually(60, async () => JSON.stringify(await answers()) === JSON.stringify(before));
    expect((await verifyGraph(backend)).differences).to.deep.equal([]);
  });

  it("when the graph was built from another log, then the service rebuilds it at start", async () => {
    await backend.close();
    // A new log (the database recreated) under the old graph, with one event of its own.
    const pool = createMariadbPool(testConfig().mariadb);
    await dropEventLog(pool);
    await pool.end();
    backend = await openGraphInterface(testConfig());
    await backend.logInitial("0f8fad5b-d9cb-469f-a165-70867728950e", "e", true);
    const symbols = await Promise.all(SYMBOLS.map((s) => backend.symbolAggregates(s)));
    expect(symbols.map((a) => a.count)).to.deep.equal(SYMBOLS.map((s) => (s === "e" ? 1 : 0)));
    expect((await verifyGraph(backend)).differences).to.deep.equal([]);
  });
});
