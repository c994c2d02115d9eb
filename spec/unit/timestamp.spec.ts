import { expect } from "chai";
import { formatMicros, nowMicros, parseTimestamp } from "../../lib/model/timestamp.js";

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

  it("when read twice, then the server clock does not run backwards", () => {
    let previous = nowMicros();
    for (let i = 0; i < 10_000; i++) {
      const now = nowMicros();
      expect(now).to.be.at.least(previous);
      previous = now;
    }
    expect(Math.abs(previous / 1000 - Date.now())).to.be.below(1000);
  });
});
