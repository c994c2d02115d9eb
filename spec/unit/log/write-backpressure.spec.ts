import { expect } from "chai";
import {
  WriteBackpressure,
  type BackpressureLimits,
  type WriterProgress,
} from "../../../lib/log/write-backpressure.js";

const LIMITS: BackpressureLimits = { lagMs: 1000, stallMs: 2000, maxHoldMs: 3000, pollMs: 20 };

/** A fake clock that the backpressure's sleeps advance. */
const clock = { now: 0 };

/** A graph answering what `answer` says at the clock's time. */
class FakeGraph {
  asked = 0;
  constructor(private readonly answer: (now: number) => WriterProgress | null) {}
  progress(): Promise<WriterProgress | null> {
    this.asked++;
    return Promise.resolve(this.answer(clock.now));
  }
}

function backpressureOver(...graphs: FakeGraph[]) {
  return new WriteBackpressure({
    graphs: () => graphs,
    writer: () => 1,
    limits: LIMITS,
    now: () => clock.now,
    sleep: (ms) => {
      clock.now += ms;
      return Promise.resolve();
    },
  });
}

/** A projector that reaches `seq` at `when`, moving all the while. */
const applying = (seq: number, when: number, before: number) =>
  new FakeGraph((now) => ({ seq: now >= when ? seq : before, movedAt: now }));

describe("write backpressure", () => {
  beforeEach(() => (clock.now = 0));

  it("when nothing committed here is older than the lag bound, then a batch goes at once, unasked", async () => {
    const graph = applying(10, Infinity, 0);
    const backpressure = backpressureOver(graph);
    backpressure.committed(10);
    clock.now = LIMITS.lagMs;
    expect(await backpressure.admit()).to.equal(0);
    expect(graph.asked).to.equal(0);
  });

  it("when a working graph lacks an old commit, then the batch waits until it is applied", async () => {
    const backpressure = backpressureOver(applying(10, 1500, 5));
    backpressure.committed(10);
    clock.now = 1100;
    expect(await backpressure.admit()).to.be.within(400, 420);
    expect(backpressure.tracked, "applied commits are forgotten").to.equal(0);
  });

  it("when the graph has not moved for the stall bound, or cannot say, then nothing is held", async () => {
    const stalled = new FakeGraph(() => ({ seq: 5, movedAt: 0 }));
    const down = new FakeGraph(() => null);
    const backpressure = backpressureOver(stalled, down);
    backpressure.committed(10);
    clock.now = LIMITS.stallMs + 1;
    expect(await backpressure.admit()).to.equal(0);
    expect(stalled.asked + down.asked).to.equal(2);
  });

  it("when a graph keeps moving but never catches up, then no batch is held past the hold bound", async () => {
    const backpressure = backpressureOver(applying(10, Infinity, 1));
    backpressure.committed(10);
    clock.now = 5000;
    expect(await backpressure.admit()).to.equal(LIMITS.maxHoldMs);
  });

  it("when one graph is current and another behind and working, then the batch waits for the other", async () => {
    const current = new FakeGraph(() => ({ seq: 10, movedAt: 0 }));
    const backpressure = backpressureOver(current, applying(10, 2000, 3));
    backpressure.committed(10);
    clock.now = 1500;
    expect(await backpressure.admit()).to.be.within(500, 520);
  });

  it("when commits are never applied, then those older than a minute are forgotten", async () => {
    const backpressure = backpressureOver(new FakeGraph(() => null));
    for (let seq = 1; seq <= 100; seq++) {
      backpressure.committed(seq);
      clock.now += 1000;
      await backpressure.admit();
    }
    expect(backpressure.tracked).to.be.at.most(61);
  });
});
