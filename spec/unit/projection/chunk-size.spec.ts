import { expect } from "chai";
import { ChunkSize } from "../../../lib/projection/chunk-size.js";

describe("the projector's transaction size", () => {
  const limits = { max: 5000, min: 100, timeLimitMs: 30_000 };

  it("when nothing went wrong, then a transaction applies up to the full chunk", () => {
    expect(new ChunkSize(limits).now).to.equal(5000);
  });

  it("when a transaction runs out of time, then the next applies half as many events", () => {
    const chunk = new ChunkSize(limits);
    expect(chunk.ranOutOfTime(5000)).to.equal(true);
    expect(chunk.now).to.equal(2500);
    expect(chunk.ranOutOfTime(2500)).to.equal(true);
    expect(chunk.now).to.equal(1250);
  });

  it("when it halves below the minimum, then it stops at the minimum and says so at the minimum", () => {
    const chunk = new ChunkSize(limits);
    expect(chunk.ranOutOfTime(150)).to.equal(true);
    expect(chunk.now).to.equal(100);
    expect(chunk.ranOutOfTime(100), "no smaller transaction to try").to.equal(false);
    expect(chunk.now).to.equal(100);
  });

  it("when a smaller transaction is fast, then the size doubles back up to the full chunk", () => {
    const chunk = new ChunkSize(limits);
    chunk.ranOutOfTime(5000);
    chunk.ranOutOfTime(2500);
    chunk.applied(1000);
    expect(chunk.now).to.equal(2500);
    chunk.applied(1000);
    chunk.applied(1000);
    expect(chunk.now).to.equal(5000);
  });

  it("when a transaction took a quarter of the limit or more, then the size stays", () => {
    const chunk = new ChunkSize(limits);
    chunk.ranOutOfTime(5000);
    chunk.applied(7500);
    expect(chunk.now).to.equal(2500);
  });
});
