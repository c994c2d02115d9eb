import { expect } from "chai";
import { covers, eventsBehind, furthest } from "../../../lib/log/log-positions.js";

const at = (...pairs: [number, number][]) => new Map(pairs);

describe("log positions per writer", () => {
  it("when every writer of the need is reached, then the positions cover it", () => {
    expect(covers(at([1, 10], [2, 5]), at([1, 10], [2, 4]))).to.equal(true);
    expect(covers(at([1, 10]), at([1, 10], [2, 0]))).to.equal(true);
  });

  it("when one writer is behind or missing, then they do not, and the gap is counted", () => {
    expect(covers(at([1, 10], [2, 3]), at([1, 9], [2, 4]))).to.equal(false);
    expect(covers(at([1, 10]), at([3, 1]))).to.equal(false);
    expect(eventsBehind(at([1, 10], [2, 3]), at([1, 12], [2, 3], [7, 5]))).to.equal(7);
  });

  it("when two views are merged, then each writer takes its furthest seq", () => {
    expect([...furthest(at([1, 10], [2, 3]), at([2, 8], [4, 1]))]).to.deep.equal([
      [1, 10],
      [2, 8],
      [4, 1],
    ]);
  });
});
