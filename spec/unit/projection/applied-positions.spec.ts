import { expect } from "chai";
import { AppliedPositions } from "../../../lib/projection/applied-positions.js";

describe("what a process knows of a graph's positions", () => {
  let now: number;
  let positions: AppliedPositions;

  beforeEach(() => {
    now = 1_000_000;
    positions = new AppliedPositions({ newsMs: 1000, now: () => now });
    positions.graphId = "g1";
  });

  it("when its own projector applied, then those positions are known and exact", () => {
    positions.applied(new Map([[1, 5]]));
    expect(positions.projectingHere).to.equal(true);
    expect([...positions.known()!.positions]).to.deep.equal([[1, 5]]);
  });

  it("when its own projector stops, then nothing is known without news", () => {
    positions.applied(new Map([[1, 5]]));
    positions.stopped();
    expect(positions.projectingHere).to.equal(false);
    expect(positions.known()).to.equal(null);
  });

  it("when another process's projector tells about this graph, then its news is known while fresh", () => {
    positions.heard("g1", new Map([[2, 7]]));
    expect([...positions.known()!.positions]).to.deep.equal([[2, 7]]);
    now += 999;
    expect(positions.known()).to.not.equal(null);
    now += 1;
    expect(positions.known(), "stale after newsMs").to.equal(null);
  });

  it("when the news is about another graph (replaced by a rebuild), then it is not trusted", () => {
    positions.heard("g0", new Map([[2, 7]]));
    expect(positions.known()).to.equal(null);
  });

  it("when anything changes, then every listener hears it until it stops listening", () => {
    let heard = 0;
    const stop = positions.onChange(() => heard++);
    positions.applied(new Map());
    positions.heard("g1", new Map());
    positions.stopped();
    stop();
    positions.applied(new Map());
    expect(heard).to.equal(3);
  });
});
