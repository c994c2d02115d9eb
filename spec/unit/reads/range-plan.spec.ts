import { expect } from "chai";
import { GRAINS } from "../../../lib/model/grains.js";
import { planRange } from "../../../lib/reads/range-plan.js";
import { seededRandom } from "../../../lib/model/random.js";
import { MICROS_PER_DAY, MICROS_PER_MINUTE, parseTimestamp } from "../../../lib/model/timestamp.js";

const width = Object.fromEntries(GRAINS.map((g) => [g.grain, g.micros]));

/** Every interval the plan counts: each bucket, and each edge, as [from, to). */
function intervals(lower: number, upper: number) {
  const plan = planRange(lower, upper);
  const parts: [number, number][] = plan.edgeSpans.map((e) => [e.from, e.to]);
  for (const span of plan.bucketSpans) {
    for (let start = span.from; start < span.to; start += width[span.grain]!) {
      parts.push([start, start + width[span.grain]!]);
    }
  }
  return { plan, parts: parts.sort((a, b) => a[0] - b[0]) };
}

describe("the range plan", () => {
  // The property tests collect what is wrong and assert once: chai per part would be most of
  // their time.
  it("when given any range, then its buckets and edges tile it exactly, without overlap", () => {
    const problems: string[] = [];
    const random = seededRandom(99);
    const base = parseTimestamp("2017-06-28")!;
    for (let i = 0; i < 2000; i++) {
      const lower = base + Math.floor(random() * 40 * MICROS_PER_DAY);
      // Widths from microseconds to 20 days, spread evenly over the orders of magnitude.
      const upper = lower + Math.floor(Math.exp(random() * Math.log(20 * MICROS_PER_DAY)));
      const { parts } = intervals(lower, upper);
      let at = lower;
      for (const [from, to] of parts) {
        if (from !== at) problems.push(`gap or overlap in [${lower}, ${upper}) at ${from}`);
        if (!(to > from)) problems.push(`empty part [${from}, ${to}) in [${lower}, ${upper})`);
        at = to;
      }
      if (at !== (lower === upper ? lower : upper)) {
        problems.push(`[${lower}, ${upper}) tiled up to ${at}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it("when the bounds are whole days, then it uses day buckets only", () => {
    const lower = parseTimestamp("2017-06-01")!;
    const { plan } = intervals(lower, lower + 7 * MICROS_PER_DAY);
    expect(plan.edgeSpans).to.deep.equal([]);
    expect(plan.bucketSpans).to.deep.equal([
      { grain: "day", from: lower, to: lower + 7 * MICROS_PER_DAY },
    ]);
  });

  it("when the bounds are arbitrary, then at most two edges under 100 ms and two spans per grain", () => {
    const lower = parseTimestamp("2017-06-01 13:27:41.123456")!;
    const upper = parseTimestamp("2017-06-09 02:03:04.000001")!;
    const { plan } = intervals(lower, upper);
    expect(plan.edgeSpans).to.have.length(2);
    for (const edge of plan.edgeSpans) expect(edge.to - edge.from).to.be.below(100_000);
    expect(plan.bucketSpans).to.have.length.at.most(2 * GRAINS.length - 1);
  });

  it("when the bounds are microseconds apart or inside one 100 ms, then no bucket, one edge", () => {
    const lower = parseTimestamp("2017-06-01 13:27:41.123456")!;
    for (const upper of [lower + 1, lower + 543, lower + 76_543]) {
      expect(planRange(lower, upper)).to.deep.equal({
        bucketSpans: [],
        edgeSpans: [{ from: lower, to: upper }],
      });
    }
  });

  it("when a range lies inside one dense minute, then sub-minute buckets tile it", () => {
    const problems: string[] = [];
    const random = seededRandom(7);
    const minute = parseTimestamp("2017-07-12 13:37:00")!;
    for (let i = 0; i < 2000; i++) {
      const a = minute + Math.floor(random() * MICROS_PER_MINUTE);
      const b = minute + Math.floor(random() * MICROS_PER_MINUTE);
      const [lower, upper] = a < b ? [a, b] : [b, a + 1];
      const { plan, parts } = intervals(lower, upper);
      const range = `[${lower}, ${upper})`;
      let at = lower;
      for (const [from, to] of parts) {
        if (from !== at) problems.push(`gap or overlap in ${range} at ${from}`);
        at = to;
      }
      if (at !== upper) problems.push(`${range} tiled up to ${at}`);
      if (plan.edgeSpans.length > 2) problems.push(`${range}: ${plan.edgeSpans.length} edges`);
      for (const edge of plan.edgeSpans) {
        if (!(edge.to - edge.from < 100_000))
          problems.push(`${range}: edge ${edge.from}..${edge.to}`);
      }
      // Per end at most (ratio to the next coarser grain - 1) buckets of each grain below a day.
      for (const [level, { grain, micros }] of GRAINS.entries()) {
        if (level === 0) continue;
        const buckets = plan.bucketSpans
          .filter((span) => span.grain === grain)
          .reduce((n, span) => n + (span.to - span.from) / micros, 0);
        const most = 2 * (GRAINS[level - 1]!.micros / micros - 1);
        if (buckets > most) problems.push(`${range}: ${buckets} ${grain} buckets, at most ${most}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it("when bounds fall on grain boundaries, then the coarsest grain that fits is used", () => {
    const second = parseTimestamp("2017-06-01 13:27:41")!;
    expect(planRange(second, second + 3_000_000)).to.deep.equal({
      bucketSpans: [{ grain: "second", from: second, to: second + 3_000_000 }],
      edgeSpans: [],
    });
    const tenth = second + 300_000;
    expect(planRange(tenth, tenth + 200_000).bucketSpans).to.deep.equal([
      { grain: "100ms", from: tenth, to: tenth + 200_000 },
    ]);
  });

  it("when the grains are listed, then each divides the one above, down to 100 ms", () => {
    for (let level = 1; level < GRAINS.length; level++) {
      expect(GRAINS[level - 1]!.micros % GRAINS[level]!.micros, GRAINS[level]!.grain).to.equal(0);
    }
    expect(GRAINS.at(-1)!.micros).to.equal(100_000);
  });

  it("when the range is empty, then the plan is empty", () => {
    const at = parseTimestamp("2017-06-01 10:00:00")!;
    expect(planRange(at, at)).to.deep.equal({ bucketSpans: [], edgeSpans: [] });
  });
});
