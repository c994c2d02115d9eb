import { expect } from "chai";
import { AppliedPositions } from "../../../lib/projection/applied-positions.js";
import { GraphWriterProgress } from "../../../lib/projection/writer-progress.js";

describe("how far a graph has applied a writer, for the write backpressure", () => {
  let now: number;
  let positions: AppliedPositions;
  let reachable: boolean;
  let asked: number;
  let graphAnswer: () => Promise<number>;
  let progress: GraphWriterProgress;

  beforeEach(() => {
    now = 50_000;
    reachable = true;
    asked = 0;
    graphAnswer = async () => 3;
    positions = new AppliedPositions({ newsMs: 1000, now: () => now });
    positions.graphId = "g1";
    progress = new GraphWriterProgress({
      positions,
      reachable: () => reachable,
      askGraph: () => {
        asked++;
        return graphAnswer();
      },
      now: () => now,
    });
  });

  it("when the graph cannot be reached, then it cannot say", async () => {
    reachable = false;
    expect(await progress.progress(1)).to.equal(null);
  });

  it("when this process projects, then its positions answer, moved when it last passed", async () => {
    positions.applied(new Map([[1, 9]]));
    now += 300;
    expect(await progress.progress(1)).to.deep.equal({ seq: 9, movedAt: 50_000 });
    expect(await progress.progress(2)).to.deep.equal({ seq: 0, movedAt: 50_000 });
    expect(asked).to.equal(0);
  });

  it("when a standby has fresh news, then the news answers, moved when the seq last changed", async () => {
    positions.heard("g1", new Map([[1, 4]]));
    expect(await progress.progress(1)).to.deep.equal({ seq: 4, movedAt: 50_000 });
    now += 500;
    positions.heard("g1", new Map([[1, 4]]));
    expect(await progress.progress(1), "same seq: not moved").to.deep.equal({
      seq: 4,
      movedAt: 50_000,
    });
    positions.heard("g1", new Map([[1, 6]]));
    expect(await progress.progress(1)).to.deep.equal({ seq: 6, movedAt: 50_500 });
    expect(asked).to.equal(0);
  });

  it("when a standby has no news, then it asks the graph", async () => {
    expect(await progress.progress(1)).to.deep.equal({ seq: 3, movedAt: 50_000 });
    expect(asked).to.equal(1);
  });

  it("when asking the graph failed, then it does not ask again for a second", async () => {
    graphAnswer = () => Promise.reject(new Error("hung"));
    expect(await progress.progress(1)).to.equal(null);
    now += 999;
    expect(await progress.progress(1)).to.equal(null);
    expect(asked).to.equal(1);
    now += 1;
    graphAnswer = async () => 5;
    expect(await progress.progress(1)).to.deep.equal({ seq: 5, movedAt: 51_000 });
  });
});
