import { expect } from "chai";
import { seededRandom } from "../../lib/model/random.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { backendsUnderTest, type BackendFactory } from "../support/backends.js";
import { generateEventStream, replayClock, type GeneratedEvent } from "../support/event-stream.js";
import { expectedRange, expectedSymbol } from "../support/expected-aggregates.js";
import { feedEvents } from "../support/feed-events.js";
import {
  formatBound,
  openServed,
  rangeDashboard,
  symbolDashboard,
  type ServedBackend,
} from "../support/served-backend.js";
import { request } from "../support/test-server.js";

const DAY = 86_400_000_000;
const HOUR = 3_600_000_000;
const DAYS = 20;
const START = Date.UTC(2017, 5, 28) * 1000;
const ABSENT = ["q", "x"];

/** `YYYY-MM-DD` of the day `offset` days after START. */
const day = (offset: number) => new Date((START + offset * DAY) / 1000).toISOString().slice(0, 10);

/** A range to ask for: the bounds as sent, and the instants they stand for, computed here. */
interface RangeCase {
  when: string;
  lower: string;
  upper: string;
  from: number;
  to: number;
}

const dayRange = (when: string, first: number, end: number): RangeCase => ({
  when,
  lower: day(first),
  upper: day(end),
  from: START + first * DAY,
  to: START + end * DAY,
});

const FORMS = ["space", "iso", "isoZ", "seconds"] as const;

/** Bounds in a sub-day form; "seconds" drops the fraction, so the instant is truncated too. */
function subDay(when: string, from: number, to: number, form: (typeof FORMS)[number]): RangeCase {
  const exact = (micros: number) => (form === "seconds" ? micros - (micros % 1_000_000) : micros);
  return {
    when,
    lower: formatBound(from, form),
    upper: formatBound(to, form),
    from: exact(from),
    to: exact(to),
  };
}

function rangeCases(events: readonly GeneratedEvent[]): RangeCase[] {
  const cases: RangeCase[] = [
    {
      when: "the range is the whole of time",
      lower: "1970-01-01",
      upper: "2100-01-01",
      from: -Infinity,
      to: Infinity,
    },
    dayRange("the range is every day of the stream, date-only", 0, DAYS),
    dayRange("the range is the first week, date-only", 0, 7),
    dayRange("the range is days 3 to 11, date-only", 3, 11),
    dayRange("the range is the last week, date-only", DAYS - 7, DAYS),
    dayRange("the range holds only late followups, whose initials are earlier", DAYS, DAYS + 3),
    dayRange("the range is before any event", -365, -1),
    dayRange("the range is the day before the first event", -1, 0),
  ];
  for (let d = 0; d < DAYS; d++) cases.push(dayRange(`the range is day ${d}, date-only`, d, d + 1));

  const random = seededRandom(4242);
  for (let i = 0; i < 16; i++) {
    const form = FORMS[i % FORMS.length]!;
    const from = START + Math.floor(random() * DAYS * DAY);
    const to = from + 1 + Math.floor(random() * 2 * DAY);
    cases.push(subDay(`sub-day range ${i} has ${form} bounds`, from, to, form));
  }
  const mixedFrom = START + 5 * DAY + 7 * HOUR + 123_457;
  cases.push({
    ...subDay("", mixedFrom, mixedFrom + 30 * HOUR, "space"),
    when: "lower is date-and-time and upper is ISO with Z",
    upper: formatBound(mixedFrom + 30 * HOUR, "isoZ"),
  });
  cases.push({
    when: "lower is date-only and upper is ISO without Z",
    lower: day(2),
    upper: formatBound(START + 4 * DAY + HOUR + 1, "iso"),
    from: START + 2 * DAY,
    to: START + 4 * DAY + HOUR + 1,
  });

  const initials = events.filter((e) => e.kind === "initial");
  for (let i = 0; i < 4; i++) {
    const event = initials[Math.floor(((i + 0.5) * initials.length) / 4)]!;
    const form = FORMS[i % 3]!;
    const at = formatBound(event.at, form);
    cases.push({
      when: `lower is exactly the time of an initial for ${event.symbol} (${form}), which is included`,
      lower: at,
      upper: formatBound(event.at + 6 * HOUR, form),
      from: event.at,
      to: event.at + 6 * HOUR,
    });
    cases.push({
      when: `upper is exactly the time of an initial for ${event.symbol} (${form}), which is excluded`,
      lower: formatBound(event.at - 6 * HOUR, form),
      upper: at,
      from: event.at - 6 * HOUR,
      to: event.at,
    });
    cases.push({
      when: `lower equals upper at the time of an initial for ${event.symbol} (${form})`,
      lower: at,
      upper: at,
      from: event.at,
      to: event.at,
    });
  }
  return cases;
}

/** The events every backend is fed (the same for each: the generator is seeded). */
const streamUnderTest = () =>
  generateEventStream({
    sessions: 2000,
    days: DAYS,
    seed: 628,
    start: day(0),
    absentSymbols: ABSENT,
  });

/** Events fed at a time, and which windows go over HTTP: the 1st and the 9th (2 of 13). */
const FEED_WINDOW = 256;
const HTTP_EVERY = 8;

const initialPath = (e: GeneratedEvent) =>
  `/initial?${new URLSearchParams({ uuid: e.uuid, symbol: e.symbol })}`;
const followupPath = (e: GeneratedEvent) => `/followup?${new URLSearchParams({ uuid: e.uuid })}`;

function describeAccuracy(factory: BackendFactory) {
  describe(`dashboard accuracy against the generated events (${factory.name} backend)`, function () {
    this.timeout(120_000);
    const events = streamUnderTest();
    let served: ServedBackend;

    before(async () => {
      served = await openServed(factory, { clock: replayClock(events) });
      expect(await served.storedEvents(), "open() must give an empty store").to.equal(0);
      // In stream order, a window at a time: every HTTP_EVERY-th window POSTed as clients send
      // it, strictly one after another (the backend stamps each event with the next generated
      // time), the others handed to the backend directly, which is what the dashboards
      // aggregate either way. The HTTP contract itself is spec/http/original-client's.
      for (let i = 0; i < events.length; i += FEED_WINDOW) {
        const window = events.slice(i, i + FEED_WINDOW);
        if (i % (HTTP_EVERY * FEED_WINDOW) !== 0) {
          await feedEvents(served.data, window, FEED_WINDOW);
          continue;
        }
        for (const event of window) {
          const path = event.kind === "initial" ? initialPath(event) : followupPath(event);
          const reply = await request(served.url, "POST", path);
          if (reply.status !== 200) throw new Error(`POST ${path}: ${reply.status} ${reply.body}`);
        }
      }
      expect(await served.storedEvents()).to.equal(events.length);
    });

    after(() => served?.close());

    describe("GET /dashboard/symbol/:symbol", () => {
      for (const symbol of SYMBOLS) {
        const absent = ABSENT.includes(symbol);
        it(`when asked for ${symbol}${absent ? ", which has no events" : ""}, then it equals the aggregate of the raw events`, async () => {
          const expected = expectedSymbol(events, symbol);
          expect(await symbolDashboard(served.url, symbol)).to.deep.equal(expected);
        });
      }
    });

    describe("GET /dashboard/range/:lower/:upper", () => {
      for (const range of rangeCases(events)) {
        it(`when ${range.when}, then every symbol equals the aggregate of the raw events`, async () => {
          const expected = expectedRange(events, range.from, range.to);
          const actual = await rangeDashboard(served.url, range.lower, range.upper);
          expect(actual, `${range.lower} .. ${range.upper}`).to.deep.equal(expected);
        });
      }
    });
  });
}

// The test's own fixtures, checked once: no backend is involved.
describe("dashboard accuracy: the generated events and ranges", () => {
  const events = streamUnderTest();

  it("when the ranges are built, then they cover the cases they claim", () => {
    const totals = (range: RangeCase) =>
      expectedRange(events, range.from, range.to).reduce((n, a) => n + a.count, 0);
    const cases = rangeCases(events);
    const byWhen = (prefix: string) => cases.filter((c) => c.when.startsWith(prefix));
    expect(totals(cases[0]!)).to.equal(events.filter((e) => e.kind === "initial").length);
    expect(totals(cases[1]!)).to.equal(totals(cases[0]!));
    for (const empty of [...byWhen("the range holds only"), ...byWhen("the range is before")]) {
      expect(totals(empty), empty.when).to.equal(0);
    }
    const late = events.filter((e) => e.kind === "followup" && e.at >= START + DAY * DAYS);
    expect(late.length, "followups after the last day").to.be.above(0);
    for (const included of byWhen("lower is exactly")) {
      const entry = expectedRange(events, included.from, included.to).find(
        (a) => a.earliest === formatBound(included.from, "space"),
      );
      expect(entry, included.when).to.not.equal(undefined);
    }
    for (const excluded of byWhen("upper is exactly")) {
      const all = expectedRange(events, excluded.from, excluded.to + 1);
      expect(all.some((a) => a.latest === formatBound(excluded.to, "space"))).to.equal(true);
    }
    for (const symbol of SYMBOLS) {
      expect(expectedSymbol(events, symbol).count === 0, symbol).to.equal(ABSENT.includes(symbol));
    }
  });
});

for (const factory of backendsUnderTest) describeAccuracy(factory);
