import { expect } from "chai";
import { describeWithStores } from "../support/stores-available.js";
import type { GraphInterface } from "../../lib/graph/graph-interface.js";
import { LogTruth } from "../../ops/log-truth.js";
import { seededRandom } from "../../lib/model/random.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import {
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  type Micros,
} from "../../lib/model/timestamp.js";
import { generateEventStream, replayClock, type GeneratedEvent } from "../support/event-stream.js";
import { expectedRange } from "../support/expected-aggregates.js";
import { feedEvents } from "../support/feed-events.js";
import {
  countLoggedEvents,
  GRAPH_CURRENT_WAIT_MS,
  openEmptyGraphBackend,
  untilGraphCurrent,
} from "../support/graph-stores.js";

describeWithStores("graph backend: accuracy against ground truth", () => {
  let backend: GraphInterface;
  let truth: LogTruth;
  let events: GeneratedEvent[];
  const random = seededRandom(2024);

  before(async function () {
    // Feeding the events (a minute or so on two shared cores), then the wait for the graph.
    this.timeout(120_000 + GRAPH_CURRENT_WAIT_MS);
    events = generateEventStream({
      sessions: 17_500,
      days: 30,
      seed: 7,
      absentSymbols: ["q", "z"],
    });
    backend = await openEmptyGraphBackend(replayClock(events));
    truth = new LogTruth(backend.pool);
    await feedEvents(backend, events);
    await untilGraphCurrent(backend);
  });
  after(() => backend.close());

  /** One range checked three ways: the graph, SQL over the raw log, and the test's own count. */
  async function checkRange(lower: Micros, upper: Micros) {
    const graph = await backend.rangeAggregates(lower, upper);
    expect(graph.map((a) => a.symbol)).to.deep.equal(SYMBOLS);
    expect(graph, `graph vs generated events for [${lower}, ${upper})`).to.deep.equal(
      expectedRange(events, lower, upper),
    );
    expect(graph, `graph vs SQL for [${lower}, ${upper})`).to.deep.equal(
      await truth.rangeAggregates(lower, upper),
    );
  }

  it("when the stream is fed, then each of its 20 000+ events is a row of the log", async () => {
    expect(events.length).to.be.at.least(20_000);
    expect(await countLoggedEvents(backend)).to.equal(events.length);
    const [rows] = await backend.pool.query(
      "SELECT kind, COUNT(DISTINCT uuid) AS sessions, COUNT(*) AS n FROM events GROUP BY kind",
    );
    const byKind = new Map(
      (rows as { kind: string; sessions: number; n: number }[]).map((r) => [
        r.kind,
        [Number(r.sessions), Number(r.n)],
      ]),
    );
    const count = (kind: string) => events.filter((e) => e.kind === kind).length;
    const sessions = new Set(events.filter((e) => e.kind === "initial").map((e) => e.uuid));
    expect(byKind.get("initial")).to.deep.equal([sessions.size, count("initial")]);
    expect(byKind.get("followup")?.[1]).to.equal(count("followup"));
  });

  it("when asked about each symbol, then every answer equals the events and the SQL", async () => {
    const bySql = await truth.symbolAggregates();
    const byEvents = expectedRange(events);
    for (const [i, symbol] of SYMBOLS.entries()) {
      const graph = await backend.symbolAggregates(symbol);
      expect(graph, symbol).to.deep.equal(byEvents[i]);
      expect(graph, symbol).to.deep.equal(bySql[i]);
    }
  });

  it("when asked about empty symbols, then they have SPEC's empty shape", async () => {
    expect(await backend.symbolAggregates("q")).to.deep.equal({
      symbol: "q",
      count: 0,
      earliest: null,
      latest: null,
      followups: 0,
    });
  });

  it("when asked about whole days, weeks and the whole span, then exact", async () => {
    const start = events[0]!.at - (events[0]!.at % MICROS_PER_DAY);
    await checkRange(start, start + 31 * MICROS_PER_DAY);
    for (let day = 0; day < 30; day += 3) {
      await checkRange(start + day * MICROS_PER_DAY, start + (day + 1) * MICROS_PER_DAY);
    }
    await checkRange(start + 3 * MICROS_PER_DAY, start + 10 * MICROS_PER_DAY);
  });

  it("when the bounds are random sub-day instants, then exact", async () => {
    const first = events[0]!.at;
    const span = events.at(-1)!.at - first;
    for (let i = 0; i < 40; i++) {
      const lower = first + Math.floor(random() * span);
      const width = [MICROS_PER_MINUTE / 3, MICROS_PER_HOUR * 5, MICROS_PER_DAY * 9][i % 3]!;
      await checkRange(lower, lower + Math.floor(random() * width));
    }
  });

  it("when a bound is exactly an event's time, then lower includes it and upper excludes it", async () => {
    const initials = events.filter((e) => e.kind === "initial");
    for (let i = 0; i < 20; i++) {
      const a = initials[Math.floor(random() * initials.length)]!.at;
      const b = initials[Math.floor(random() * initials.length)]!.at;
      const [lower, upper] = a <= b ? [a, b] : [b, a];
      await checkRange(lower, upper);
      await checkRange(lower, lower + 1);
    }
  });

  it("when lower equals upper or the range has no events, then 26 zero entries", async () => {
    const at = events[100]!.at;
    await checkRange(at, at);
    const before = events[0]!.at - 10 * MICROS_PER_DAY;
    await checkRange(before, before + MICROS_PER_DAY);
  });
});
