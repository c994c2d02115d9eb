import { expect } from "chai";
import { describeWithStores } from "../support/stores-available.js";
import { eventually, TEST_NEO4J_SERVICE } from "../support/services.js";
import { projectionBatch } from "../../lib/projection/projection-batch.js";
import { CYPHER } from "../../lib/stores/statements.js";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import { rebuildGraph } from "../../ops/rebuild.js";
import { verifyGraph } from "../../ops/verify.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { parseTimestamp } from "../../lib/model/timestamp.js";
import { generateEventStream, replayClock } from "../support/event-stream.js";
import { feedEvents } from "../support/feed-events.js";
import {
  countLoggedEvents,
  GRAPH_CURRENT_WAIT_MS,
  openEmptyGraphBackend,
  rebuildStores,
  testConfig,
  untilGraphCurrent,
} from "../support/graph-stores.js";
import { openGraphBackend } from "../../lib/backend/graph-backend.js";
import { createMariadbPool, dropEventLog } from "../../lib/stores/mariadb.js";

describeWithStores("graph backend: replaying and rebuilding the graph", function () {
  // A bulk import stops and starts the test server (up to 180 s each), then 60 s to reconnect.
  this.timeout(480_000);
  let backend: GraphBackend;
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

  it("when a stale applier sends the log's first events again, then the graph refuses them", async () => {
    const before = await answers();
    const [writer, head] = [...(await backend.reader.heads())][0]!;
    const again = await backend.reader.writerEvents(writer, 0, head, 100);
    // An applier that believes the graph is empty: the transaction must match nothing.
    const batch = projectionBatch([{ writer, from: 0, to: again.at(-1)!.seq }], again);
    const result = await backend.servers[0]!.driver.executeQuery(CYPHER.applyBatch, {
      ...batch,
      logId: await backend.reader.logId(),
    });
    expect(result.records).to.have.length(0);
    expect(await answers()).to.deep.equal(before);
    expect((await verifyGraph(backend)).differences).to.deep.equal([]);
  });

  it("when the graph is rebuilt by replaying the log, then every answer is identical", async () => {
    const before = await answers();
    const applied = await rebuildGraph(rebuildStores(backend), { kind: "replay" });
    expect(applied).to.equal(await countLoggedEvents(backend));
    expect(await answers()).to.deep.equal(before);
    expect((await verifyGraph(backend)).differences).to.deep.equal([]);
  });

  it("when the graph is rebuilt by bulk import while the service runs, then every answer is identical", async () => {
    const before = await answers();
    const applied = await rebuildGraph(rebuildStores(backend), {
      kind: "import",
      server: TEST_NEO4J_SERVICE,
    });
    expect(applied).to.equal(await countLoggedEvents(backend));
    // The service's own projection lost its server for a while; it reconnects by itself.
    await eventually(60, async () => JSON.stringify(await answers()) === JSON.stringify(before));
    expect((await verifyGraph(backend)).differences).to.deep.equal([]);
  });

  it("when the graph was built from another log, then the service refuses it, naming the command", async () => {
    await backend.close();
    // A new log (the database recreated) under the old graph, with one event of its own.
    const pool = createMariadbPool(testConfig().mariadb);
    await dropEventLog(pool);
    await pool.end();
    backend = await openGraphBackend(testConfig());
    await backend.logInitial("0f8fad5b-d9cb-469f-a165-70867728950e", "e", true);
    let refusal: unknown;
    await backend.symbolAggregates("e").catch((error: unknown) => (refusal = error));
    expect(String(refusal)).to.match(/another log.*npm run graph:rebuild/);
    // The operator's command mends it; the service then answers from the rebuilt graph.
    await rebuildGraph(rebuildStores(backend), { kind: "replay" });
    await eventually(30, async () => (await backend.symbolAggregates("e")).count === 1);
    const symbols = await Promise.all(SYMBOLS.map((s) => backend.symbolAggregates(s)));
    expect(symbols.map((a) => a.count)).to.deep.equal(SYMBOLS.map((s) => (s === "e" ? 1 : 0)));
    expect((await verifyGraph(backend)).differences).to.deep.equal([]);
  });
});
