import { expect } from "chai";
import { describeWithStores } from "../support/stores-available.js";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import { LogTruth } from "../../ops/log-truth.js";
import { seededRandom } from "../../lib/model/random.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import {
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  parseTimestamp,
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
  let backend: GraphBackend;
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

describeWithStores("graph backend: accuracy on dense traffic, microsecond bounds", () => {
  let backend: GraphBackend;
  let truth: LogTruth;
  let events: GeneratedEvent[];
  const random = seededRandom(13);
  const second = parseTimestamp("2017-07-12 13:37:41")!;
  const minute = parseTimestamp("2017-07-12 13:37:00")!;

  before(async () => {
    // 5 000 initials inside one second and 5 000 more in its minute (ties on the same
    // microsecond included), over a sparse day around them.
    const streams = [
      { sessions: 5_000, days: 1 / 86_400, start: "2017-07-12 13:37:41", seed: 1 },
      { sessions: 5_000, days: 1 / 1_440, start: "2017-07-12 13:37:00", seed: 2 },
      { sessions: 2_000, days: 1, start: "2017-07-12", seed: 3 },
    ];
    events = streams.flatMap((s) => generateEventStream(s)).sort((x, y) => x.at - y.at);
    backend = await openEmptyGraphBackend(replayClock(events));
    truth = new LogTruth(backend.pool);
    await feedEvents(backend, events);
    await untilGraphCurrent(backend);
  });
  after(() => backend.close());

  async function checkRange(lower: Micros, upper: Micros) {
    const graph = await backend.rangeAggregates(lower, upper);
    expect(graph, `graph vs SQL for [${lower}, ${upper})`).to.deep.equal(
      await truth.rangeAggregates(lower, upper),
    );
    expect(graph, `graph vs generated events for [${lower}, ${upper})`).to.deep.equal(
      expectedRange(events, lower, upper),
    );
  }

  it("when both bounds are random microseconds inside the dense second or minute, then exact", async () => {
    for (const [from, width] of [
      [second, 1_000_000],
      [minute, MICROS_PER_MINUTE],
    ] as const) {
      for (let i = 0; i < 15; i++) {
        const a = from + Math.floor(random() * width);
        const b = from + Math.floor(random() * width);
        await checkRange(Math.min(a, b), Math.max(a, b) + 1);
      }
    }
  });

  it("when ranges are a few microseconds to milliseconds wide, then exact", async () => {
    for (let i = 0; i < 20; i++) {
      const lower = second + Math.floor(random() * 1_000_000);
      await checkRange(lower, lower + Math.floor(Math.exp(random() * Math.log(50_000))) + 1);
    }
  });

  it("when one bound is in the dense minute and the other hours away, then exact", async () => {
    for (let i = 0; i < 10; i++) {
      const inside = minute + Math.floor(random() * MICROS_PER_MINUTE);
      const away = Math.floor(random() * 10 * MICROS_PER_HOUR);
      await checkRange(inside - away, inside);
      await checkRange(inside, inside + away + 1);
    }
  });

  it("when bounds are exactly initials' times, shared ones included, then lower in, upper out", async () => {
    const dense = events.filter(
      (e) => e.kind === "initial" && e.at >= minute && e.at < minute + MICROS_PER_MINUTE,
    );
    const shared = dense.filter((e, i) => i > 0 && dense[i - 1]!.at === e.at);
    expect(shared.length, "initials sharing a microsecond").to.be.above(0);
    for (let i = 0; i < 10; i++) {
      const a = dense[Math.floor(random() * dense.length)]!.at;
      const b = shared[Math.floor(random() * shared.length)]!.at;
      await checkRange(Math.min(a, b), Math.max(a, b));
      await checkRange(b, b + 1);
    }
  });
});
