import { expect } from "chai";
import {
  formatMicros,
  MAX_MICROS,
  MIN_MICROS,
  nowMicros,
  parseTimestamp,
  readTimestamp,
  receiptClock,
  RECEIPT_CLOCK_TOLERANCE_MICROS,
  type ClockSource,
} from "../../../lib/model/timestamp.js";

/**
 * A clock source the test sets by hand: both clocks advance together, or the wall clock
 * alone steps (the system clock set, a VM resumed), or the monotonic clock runs at its own rate.
 */
class SteppedClock implements ClockSource {
  wallMicros = Date.UTC(2026, 10, 28, 12) * 1000;
  monotonic = 5_000_000;
  wallMillis = () => Math.floor(this.wallMicros / 1000);
  monotonicMicros = () => this.monotonic;
  advance(micros: number, monotonicRate = 1) {
    this.wallMicros += micros;
    this.monotonic += Math.round(micros * monotonicRate);
  }
  stepWall(micros: number) {
    this.wallMicros += micros;
  }
}

describe("timestamps", () => {
  it("when a date has no time, then it is midnight UTC", () => {
    expect(formatMicros(parseTimestamp("2017-06-28")!)).to.equal("2017-06-28 00:00:00.000000");
  });

  it("when given with a space, a T, a Z or a short fraction, then all parse to the same instant", () => {
    const forms = [
      "2017-06-28 19:34:14.486693",
      "2017-06-28T19:34:14.486693",
      "2017-06-28T19:34:14.486693Z",
    ];
    for (const form of forms) {
      expect(formatMicros(parseTimestamp(form)!), form).to.equal("2017-06-28 19:34:14.486693");
    }
    expect(formatMicros(parseTimestamp("2017-06-28T19:34:14.5")!)).to.equal(
      "2017-06-28 19:34:14.500000",
    );
  });

  it("when a time carries a UTC offset, then it is that local time, read as UTC", () => {
    const cases: [string, string][] = [
      ["2026-11-28T00:00:00+01:00", "2026-11-27 23:00:00.000000"],
      ["2026-11-28T00:00:00-05:00", "2026-11-28 05:00:00.000000"],
      ["2026-11-28 00:00:00.25+05:30", "2026-11-27 18:30:00.250000"],
      ["2026-11-28T00:00:00+00:00", "2026-11-28 00:00:00.000000"],
      ["2026-11-28T00:00:00-00:00", "2026-11-28 00:00:00.000000"],
      ["2026-12-31T23:30:00-01:00", "2027-01-01 00:30:00.000000"],
      ["2026-01-01T00:00:00+18:00", "2025-12-31 06:00:00.000000"],
    ];
    for (const [text, utc] of cases) {
      expect(formatMicros(parseTimestamp(text)!), text).to.equal(utc);
    }
  });

  it("when the text is not a real date or time, then it does not parse", () => {
    for (const bad of [
      "2017-02-30",
      "2017-13-01",
      "2017-06-28 24:00:00",
      "2017-06-28 12:60:00",
      "17-06-28",
      "2017-06-28 19:34",
      "2017-06-28T19:34:14.1234567",
      "2017-06-28+01:00",
      "2017-06-28T19:34:14+1:00",
      "2017-06-28T19:34:14+0100",
      "2017-06-28T19:34:14+01",
      "2017-06-28T19:34:14+01:60",
      "2017-06-28T19:34:14+18:01",
      "2017-06-28T19:34:14Z+01:00",
      "yesterday",
      "",
    ]) {
      expect(parseTimestamp(bad), bad).to.equal(undefined);
    }
  });

  it("when formatting, then always six fraction digits and round trips exactly", () => {
    for (const micros of [0, 1, 999_999, 1_498_678_454_486_693, 4_102_444_799_999_999]) {
      const text = formatMicros(micros);
      expect(text).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
      expect(parseTimestamp(text)).to.equal(micros);
    }
  });

  it("when a bound is beyond what a number holds exactly, then it does not parse and says range", () => {
    for (const beyond of [
      "9999-12-31",
      "9999-12-31T23:59:59.999998",
      "9999-12-31T23:59:59.999999",
      "2255-06-05 23:47:34.740992",
      "2255-06-06",
      "1684-07-28 00:12:25.259008",
      "0099-12-31",
      "0001-01-01",
    ]) {
      expect(readTimestamp(beyond), beyond).to.deep.equal({ problem: "range" });
      expect(parseTimestamp(beyond), beyond).to.equal(undefined);
    }
    expect(readTimestamp("2017-02-30")).to.deep.equal({ problem: "format" });
  });

  it("when a time is at an end of the exact range, then it parses and round trips", () => {
    expect(parseTimestamp("2255-06-05 23:47:34.740991")).to.equal(MAX_MICROS);
    expect(parseTimestamp("1684-07-28 00:12:25.259009")).to.equal(MIN_MICROS);
    expect(formatMicros(MAX_MICROS)).to.equal("2255-06-05 23:47:34.740991");
    expect(formatMicros(MIN_MICROS)).to.equal("1684-07-28 00:12:25.259009");
    // Year 9999's last microsecond is not a number exactly: formatting refuses rather than
    // print the year 10000 it rounds to.
    const lastOf9999 = Number(253402300799999999n);
    expect(() => formatMicros(lastOf9999)).to.throw(RangeError, /1684.*2255/);
  });

  describe("the receipt clock, over a clock source stepped by the test", () => {
    const tolerance = RECEIPT_CLOCK_TOLERANCE_MICROS;

    /**
     * Reads `clock` `times` times, advancing the wall clock by `every` µs before each read and the
     * monotonic clock by `rate` times that.
     */
    function readings(
      clock: () => number,
      source: SteppedClock,
      times: number,
      every = 37,
      rate = 1,
    ) {
      return Array.from({ length: times }, () => {
        source.advance(every, rate);
        return { at: clock(), wall: source.wallMicros };
      });
    }

    const expectIncreasing = (values: number[]) => {
      for (let i = 1; i < values.length; i++) {
        expect(values[i], `reading ${i}`).to.be.above(values[i - 1]!);
      }
    };

    it("when the clocks run together, then readings increase and are the wall clock to the microsecond", () => {
      const source = new SteppedClock();
      const clock = receiptClock(source);
      const reads = readings(clock, source, 10_000);
      expectIncreasing(reads.map((r) => r.at));
      // Anchored at a millisecond tick, the monotonic clock supplies the microseconds.
      for (const r of reads) expect(r.at).to.equal(r.wall);
    });

    it("when the wall clock steps forward, then the next reading is at the new wall time", () => {
      const source = new SteppedClock();
      const clock = receiptClock(source);
      const before = readings(clock, source, 100);
      source.stepWall(3600 * 1_000_000);
      const after = readings(clock, source, 100);
      expectIncreasing([...before, ...after].map((r) => r.at));
      for (const r of after) expect(Math.abs(r.at - r.wall)).to.be.at.most(tolerance);
    });

    it("when the wall clock steps back, then readings go on 1 µs apart until the wall clock catches up", () => {
      const source = new SteppedClock();
      const clock = receiptClock(source);
      const last = readings(clock, source, 100).at(-1)!.at;
      source.stepWall(-2_000_000);
      // 2 s back, read every 100 µs: the wall clock passes the held readings after about 20 200.
      const held = readings(clock, source, 20_000, 100);
      expect(held.map((r) => r.at)).to.deep.equal(held.map((_, i) => last + 1 + i));
      const caughtUp = readings(clock, source, 1000, 100);
      expectIncreasing([...held, ...caughtUp].map((r) => r.at));
      expect(caughtUp[0]!.at).to.equal(last + 20_001);
      for (const r of caughtUp.slice(300)) {
        expect(Math.abs(r.at - r.wall)).to.be.at.most(tolerance);
      }
    });

    it("when the monotonic clock runs 1% fast (or a VM sleeps), then readings stay on the wall clock", () => {
      const source = new SteppedClock();
      const clock = receiptClock(source);
      // An hour of readings a second apart: a clock anchored once would be 36 s ahead.
      const fast = readings(clock, source, 3600, 1_000_000, 1.01);
      for (const r of fast) expect(Math.abs(r.at - r.wall)).to.be.at.most(tolerance);
      // A suspended VM: the wall clock moves on 10 minutes, the monotonic clock does not.
      source.stepWall(600 * 1_000_000);
      const resumed = readings(clock, source, 10);
      for (const r of resumed) expect(Math.abs(r.at - r.wall)).to.be.at.most(tolerance);
      expectIncreasing([...fast, ...resumed].map((r) => r.at));
    });

    it("when it is the process's own clock, then it increases and keeps to Date.now()", () => {
      let previous = nowMicros();
      for (let i = 0; i < 10_000; i++) {
        const now = nowMicros();
        expect(now).to.be.above(previous);
        previous = now;
      }
      // Date.now() is cut to the millisecond: within the tolerance of it, or of the next tick.
      const before = Date.now() * 1000;
      const now = nowMicros();
      const after = Date.now() * 1000;
      expect(now).to.be.within(before - tolerance, after + 1000 + tolerance);
    });
  });
});
