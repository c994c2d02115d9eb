import { expect } from "chai";
import { EventTotals } from "../../../lib/projection/event-totals.js";
import { GRAINS } from "../../../lib/model/grains.js";
import { TotalsTable } from "../../../lib/projection/totals-table.js";
import { seededRandom } from "../../../lib/model/random.js";
import { SYMBOLS } from "../../../lib/model/symbols.js";

describe("the totals table", () => {
  it("when keys repeat, grow the table and go negative, then every key's totals equal a Map's", () => {
    const random = seededRandom(5);
    const table = new TotalsTable();
    const expected = new Map<number, [number, number, number, number]>();
    for (let i = 0; i < 50_000; i++) {
      const key = Math.floor((random() - 0.3) * 2 ** 52) - (i % 3 === 0 ? 0 : i % 977);
      const at = random() < 0.2 ? null : Math.floor(random() * 1e15);
      table.add(key, at);
      const e = expected.get(key) ?? [0, 0, NaN, NaN];
      if (at === null) e[1]++;
      else {
        e[0]++;
        e[2] = Number.isNaN(e[2]) ? at : Math.min(e[2], at);
        e[3] = Number.isNaN(e[3]) ? at : Math.max(e[3], at);
      }
      expected.set(key, e);
    }
    expect(table.size).to.equal(expected.size);
    const entries = [...table.entries()];
    expect(entries).to.have.length(expected.size);
    // Compared here and asserted once: chai per key would be most of the test's time.
    const wrong = entries.filter(([key, ...totals]) => {
      const want = expected.get(key);
      return (
        !want || totals.length !== want.length || totals.some((t, i) => !Object.is(t, want[i]))
      );
    });
    expect(wrong).to.deep.equal([]);
  });

  it("when events are summed, then every grain's buckets hold each initial once and its followups", () => {
    const totals = new EventTotals();
    const at = Date.UTC(2017, 6, 12, 13, 37, 41, 123) * 1000 + 456;
    totals.add({
      writer: 1,
      seq: 1,
      kind: "initial",
      uuid: "u",
      symbol: "k",
      guess: true,
      at,
      sessionAt: at,
    });
    totals.add({
      writer: 1,
      seq: 2,
      kind: "followup",
      uuid: "u",
      symbol: "k",
      guess: true,
      at: at + 5e6,
      sessionAt: at,
    });
    const buckets = [...totals.bucketEntries()];
    expect(buckets.map(([key]) => key.grain)).to.deep.equal(GRAINS.map((g) => g.grain));
    for (const [key, t] of buckets) {
      expect(key.symbol).to.equal("k");
      expect(key.start).to.be.at.most(at);
      expect(t).to.deep.equal({ initials: 1, followups: 1, earliest: at, latest: at });
    }
    expect(buckets.at(-1)![0].start, "the finest grain: 100 ms").to.equal(at - 23_456);
    expect(SYMBOLS).to.include("k");
  });
});
