import { expect } from "chai";
import { NullBackend } from "../../lib/baselines/null-backend.js";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import { LogTruth } from "../../ops/log-truth.js";
import { backendsUnderTest, type BackendFactory } from "../support/backends.js";
import { generateEventStream, replayClock } from "../support/event-stream.js";
import { expectedRange, expectedSeries } from "../support/expected-aggregates.js";
import { feedEvents } from "../support/feed-events.js";
import { untilGraphCurrent } from "../support/graph-stores.js";
import { expectJsonError } from "../support/served-backend.js";
import { getJson, request, serve, type TestServer } from "../support/test-server.js";

const MINUTE = 60_000_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WIDTH = { minute: MINUTE, hour: HOUR, day: DAY } as const;
const START = Date.UTC(2026, 10, 26) * 1000;
const DAYS = 4;

interface SeriesReply {
  grain: string;
  symbol: string | null;
  lower: string;
  upper: string;
  buckets: { start: string; initials: number; followups: number }[];
}

const seriesPath = (lower: string, upper: string, query: string) =>
  `/dashboard/series/${encodeURIComponent(lower)}/${encodeURIComponent(upper)}?${query}`;

/** A UTC instant written independently of lib/, as `YYYY-MM-DD HH:MM:SS.ffffff`. */
const text = (micros: number) => {
  const seconds = Math.floor(micros / 1e6);
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
  return `${iso}.${String(micros - seconds * 1e6).padStart(6, "0")}`;
};

interface SeriesCase {
  when: string;
  lower: string;
  upper: string;
  grain: keyof typeof WIDTH;
  symbol?: string;
  /** The bucket-aligned span the reply must cover. */
  from: number;
  to: number;
}

const CASES: SeriesCase[] = [
  {
    when: "day buckets over every day of the stream and after",
    lower: "2026-11-26",
    upper: "2026-12-03",
    grain: "day",
    from: START,
    to: START + 7 * DAY,
  },
  {
    when: "hour buckets over two days, one letter",
    lower: "2026-11-27",
    upper: "2026-11-29",
    grain: "hour",
    symbol: "e",
    from: START + DAY,
    to: START + 3 * DAY,
  },
  {
    when: "hour buckets with bounds inside hours, which widen to whole hours",
    lower: "2026-11-27 10:15:00.5",
    upper: "2026-11-27T20:00:00.000001Z",
    grain: "hour",
    from: START + DAY + 10 * HOUR,
    to: START + DAY + 21 * HOUR,
  },
  {
    when: "minute buckets over six hours given with a +01:00 offset, an upper-case letter",
    lower: "2026-11-28T09:00:00+01:00",
    upper: "2026-11-28T15:00:00+01:00",
    grain: "minute",
    symbol: "T",
    from: START + 2 * DAY + 8 * HOUR,
    to: START + 2 * DAY + 14 * HOUR,
  },
  {
    when: "a day in a -05:00 zone at hour grain",
    lower: "2026-11-27T00:00:00-05:00",
    upper: "2026-11-28T00:00:00-05:00",
    grain: "hour",
    from: START + DAY + 5 * HOUR,
    to: START + 2 * DAY + 5 * HOUR,
  },
  {
    when: "the 1500 minute buckets of the limit",
    lower: "2026-11-29 00:00:00",
    upper: "2026-11-30 01:00:00",
    grain: "minute",
    from: START + 3 * DAY,
    to: START + 3 * DAY + 1500 * MINUTE,
  },
  {
    when: "lower equals upper (no bucket)",
    lower: "2026-11-27 10:15:00",
    upper: "2026-11-27 10:15:00",
    grain: "hour",
    from: START + DAY + 10 * HOUR,
    to: START + DAY + 10 * HOUR,
  },
  {
    when: "a span before any event, for a letter that has none",
    lower: "2020-01-01",
    upper: "2020-02-01",
    grain: "day",
    symbol: "q",
    from: Date.UTC(2020, 0, 1) * 1000,
    to: Date.UTC(2020, 1, 1) * 1000,
  },
];

function describeSeries(factory: BackendFactory) {
  describe(`GET /dashboard/series (${factory.name} backend)`, function () {
    this.timeout(120_000);
    const events = generateEventStream({
      sessions: 2500,
      days: DAYS,
      seed: 1414,
      start: "2026-11-26",
      absentSymbols: ["q"],
    });
    let server: TestServer;
    let close: () => Promise<void>;
    let truth: LogTruth | undefined;

    before(async () => {
      const backend = await factory.open(replayClock(events));
      await feedEvents(backend.data, events);
      if (factory.name === "graph") {
        const graph = backend.data as GraphBackend;
        await untilGraphCurrent(graph);
        truth = new LogTruth(graph.pool);
      }
      server = await serve(backend.data);
      close = async () => {
        await server.close();
        await backend.close();
      };
    });
    after(() => close?.());

    for (const c of CASES) {
      it(`when asked for ${c.when}, then every bucket equals the raw events${factory.name === "graph" ? " and SQL over the log" : ""}`, async () => {
        const query = `grain=${c.grain}${c.symbol ? `&symbol=${c.symbol}` : ""}`;
        const { status, json } = await getJson<SeriesReply>(
          server.url,
          seriesPath(c.lower, c.upper, query),
        );
        expect(status, JSON.stringify(json)).to.equal(200);
        const symbol = c.symbol?.toLowerCase();
        expect(json).to.deep.equal({
          grain: c.grain,
          symbol: symbol ?? null,
          lower: text(c.from),
          upper: text(c.to),
          buckets: expectedSeries(events, c.from, c.to, WIDTH[c.grain], symbol),
        });
        if (truth) {
          expect(json).to.deep.equal(await truth.seriesAggregates(c.from, c.to, c.grain, symbol));
        }
      });
    }

    it("when GET /dashboard/range is given bounds with UTC offsets, then it answers for those instants", async () => {
      const path = `/dashboard/range/${encodeURIComponent("2026-11-27T00:00:00-05:00")}/${encodeURIComponent("2026-11-28T06:30:00+05:30")}`;
      const { status, json } = await getJson(server.url, path);
      expect(status).to.equal(200);
      expect(json).to.deep.equal(
        expectedRange(events, START + DAY + 5 * HOUR, START + 2 * DAY + HOUR),
      );
    });

    it("when the day buckets of all time are summed, then they equal the range endpoint's totals", async () => {
      const { json } = await getJson<SeriesReply>(
        server.url,
        seriesPath("2026-11-26", "2026-12-03", "grain=day"),
      );
      const initials = json.buckets.reduce((n, b) => n + b.initials, 0);
      const followups = json.buckets.reduce((n, b) => n + b.followups, 0);
      const range = expectedRange(events);
      expect(initials).to.equal(range.reduce((n, a) => n + a.count, 0));
      expect(followups).to.equal(range.reduce((n, a) => n + a.followups, 0));
      expect(initials).to.be.above(2000);
    });
  });
}

for (const factory of backendsUnderTest) describeSeries(factory);

describe("GET /dashboard/series: validation", () => {
  let server: TestServer;
  before(async () => (server = await serve(new NullBackend())));
  after(() => server.close());

  const bad: [string, string, RegExp][] = [
    ["the grain is missing", seriesPath("2026-11-28", "2026-11-29", ""), /missing grain.*hour/],
    [
      "the grain is unknown",
      seriesPath("2026-11-28", "2026-11-29", "grain=week"),
      /invalid grain.*minute.*hour.*day/,
    ],
    [
      "the grain is given twice",
      seriesPath("2026-11-28", "2026-11-29", "grain=day&grain=hour"),
      /invalid grain/,
    ],
    [
      "the symbol is not a letter",
      seriesPath("2026-11-28", "2026-11-29", "grain=day&symbol=ab"),
      /invalid symbol.*a-z/,
    ],
    [
      "lower is after upper",
      seriesPath("2026-11-29", "2026-11-28", "grain=day"),
      /lower .* is after upper/,
    ],
    [
      "a bound is not a time",
      seriesPath("yesterday", "2026-11-28", "grain=day"),
      /invalid lower.*UTC offset/,
    ],
    [
      "an offset is out of range",
      seriesPath("2026-11-28T00:00:00+19:00", "2026-11-29", "grain=day"),
      /invalid lower/,
    ],
    [
      "a span has 1501 minute buckets",
      seriesPath("2026-11-28 00:00:00", "2026-11-29 01:00:01", "grain=minute"),
      /1501 minute buckets; at most 1500 .* shorter span or grain=hour/,
    ],
    [
      "a span has more than 1500 day buckets",
      seriesPath("2000-01-01", "2026-01-01", "grain=day"),
      /day buckets; at most 1500 .* shorter span$/,
    ],
  ];
  for (const [when, path, mentions] of bad) {
    it(`when ${when}, then 400 saying what is expected`, async () => {
      expectJsonError(await request(server.url, "GET", path), 400, mentions);
    });
  }

  it("when the backend stores nothing, then every bucket is there at zero", async () => {
    const { status, json } = await getJson<SeriesReply>(
      server.url,
      seriesPath("2026-11-28T00:00:00-05:00", "2026-11-28T03:00:00-05:00", "grain=hour"),
    );
    expect(status).to.equal(200);
    expect(json).to.deep.equal({
      grain: "hour",
      symbol: null,
      lower: "2026-11-28 05:00:00.000000",
      upper: "2026-11-28 08:00:00.000000",
      buckets: [5, 6, 7].map((h) => ({
        start: `2026-11-28 0${h}:00:00.000000`,
        initials: 0,
        followups: 0,
      })),
    });
  });

  it("when POSTed to, then 405 naming GET", async () => {
    const reply = await request(
      server.url,
      "POST",
      seriesPath("2026-11-28", "2026-11-29", "grain=day"),
    );
    expectJsonError(reply, 405, /use GET/);
  });
});
