import { expect } from "chai";
import { denseMinuteEvents, type BenchEvent } from "../../../bench/bulk-load.js";
import { DENSE_SPANS, randomDenseRange } from "../../../bench/dashboard-latency.js";
import { seededRandom } from "../../../lib/model/random.js";
import { MICROS_PER_DAY, MICROS_PER_MINUTE, parseTimestamp } from "../../../lib/model/timestamp.js";

const MINUTE = parseTimestamp("2017-06-15 13:37:00")!;

describe("the bench's dense minute", () => {
  const chunks = [...denseMinuteEvents(20_000, MINUTE, seededRandom(5), 3000)];
  const events: BenchEvent[] = chunks.flat();
  const initials = events.filter((e) => e.kind === "initial");

  it("when generated, then it holds exactly the initials asked for, all inside the minute", () => {
    expect(initials).to.have.length(20_000);
    const outside = initials.filter((e) => e.at < MINUTE || e.at >= MINUTE + MICROS_PER_MINUTE);
    expect(outside).to.deep.equal([]);
    expect(new Set(initials.map((e) => e.uuid)).size).to.equal(20_000);
  });

  it("when generated, then every followup comes after its own initial, in time order", () => {
    const initialAt = new Map(initials.map((e) => [e.uuid, e]));
    const followups = events.filter((e) => e.kind === "followup");
    // The client's rule gives about one followup per seven initials.
    expect(followups.length).to.be.within(2000, 4000);
    const wrong = followups.filter((f) => {
      const initial = initialAt.get(f.uuid);
      return !initial || f.at < initial.at + 2_000_000 || f.symbol !== initial.symbol;
    });
    expect(wrong).to.deep.equal([]);
    const disorder = events.findIndex((e, i) => i > 0 && e.at < events[i - 1]!.at);
    expect(disorder).to.equal(-1);
    expect(chunks.slice(0, -1).every((c) => c.length === 3000)).to.equal(true);
  });

  it("when generated twice from one seed, then the same events come out", () => {
    const again = [...denseMinuteEvents(20_000, MINUTE, seededRandom(5), 3000)].flat();
    expect(again).to.deep.equal(events);
  });

  it("when ranges around it are drawn, then each has the bounds its span names", () => {
    const random = seededRandom(3);
    const end = MINUTE + MICROS_PER_MINUTE;
    const inside = (t: number) => t >= MINUTE && t < end;
    const problems: string[] = [];
    for (let i = 0; i < 300; i++) {
      for (const span of DENSE_SPANS) {
        const [lower, upper] = randomDenseRange(span, MINUTE, random);
        const ok =
          lower < upper &&
          (span === "dense minute"
            ? inside(lower) && upper <= end
            : span === "dense to hours"
              ? inside(lower) && upper - lower >= 3600e6 && upper - lower <= 20 * 3600e6
              : inside(upper) &&
                upper - lower >= MICROS_PER_DAY &&
                upper - lower <= 10 * MICROS_PER_DAY);
        if (!ok) problems.push(`${span}: [${lower}, ${upper})`);
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
