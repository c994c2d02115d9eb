import { expect } from "chai";
import { GRAINS, planRange } from "../../lib/graph/range-plan.js";
import { seededRandom } from "../../lib/model/random.js";
import { MICROS_PER_DAY, MICROS_PER_MINUTE, parseTimestamp } from "../../lib/model/timestamp.js";

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
  it("when given any range, then its buckets and edges tile it exactly, without overlap", () => {
    const random = seededRandom(99);
    const base = parseTimestamp("2017-06-28")!;
    for (let i = 0; i < 2000; i++) {
      const lower = base + Math.floor(random() * 40 * MICROS_PER_DAY);
      const upper = lower + Math.floor(random() ** 3 * 20 * MICROS_PER_DAY);
      const { parts } = intervals(lower, upper);
      let at = lower;
      for (const [from, to] of parts) {
        expect(from, `gap or overlap in [${lower}, ${upper})`).to.equal(at);
        expect(to).to.be.above(from);
        at = to;
      }
      expect(at).to.equal(lower === upper ? lower : upper);
    }
  });

  it("when the bounds are whole days, then it uses day buckets only", () => {
    const lower = parseTimestamp("2017-06-01")!;
    const { plan } = intervals(lower, lower + 7 * MICROS_PER_DAY);
    expect(plan.edgeSpans).to.deep.equal([]);
    expect(plan.bucketSpans).to.deep.equal([
      { grain: "day", from: lower, to: lower + 7 * MICROS_PER_DAY },
    ]);
  });

  it("when the bounds are arbitrary, then at most two sub-minute edges and two spans per grain", () => {
    const lower = parseTimestamp("2017-06-01 13:27:41.123456")!;
    const upper = parseTimestamp("2017-06-09 02:03:04.000001")!;
    const { plan } = intervals(lower, upper);
    expect(plan.edgeSpans).to.have.length(2);
    for (const edge of plan.edgeSpans) expect(edge.to - edge.from).to.be.below(MICROS_PER_MINUTE);
    expect(plan.bucketSpans).to.have.length.at.most(7);
  });

  it("when the range is empty, then the plan is empty", () => {
    const at = parseTimestamp("2017-06-01 10:00:00")!;
    expect(planRange(at, at)).to.deep.equal({ bucketSpans: [], edgeSpans: [] });
  });
});
