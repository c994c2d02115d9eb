import { expect } from "chai";
import { StoreUnavailableError } from "../../../lib/backend/data-errors.js";
import type { LogPositions } from "../../../lib/log/log-positions.js";
import { AppliedPositions } from "../../../lib/projection/applied-positions.js";
import { ReadGate } from "../../../lib/reads/read-gate.js";
import { NO_TELEMETRY } from "../../../lib/telemetry/telemetry.js";

describe("the read gate: a read waits for its writes (fakes)", () => {
  let positions: AppliedPositions;
  let unreachable: string | null;
  let graphHolds: LogPositions;
  let asked: number;
  let hurried: number;
  let gauge: number;
  let gate: ReadGate;

  beforeEach(() => {
    positions = new AppliedPositions({ newsMs: 1000 });
    positions.graphId = "g1";
    unreachable = null;
    graphHolds = new Map();
    asked = 0;
    hurried = 0;
    gauge = 0;
    gate = new ReadGate({
      server: "bolt://fake",
      positions,
      unreachable: () => unreachable,
      askGraph: async () => {
        asked++;
        return graphHolds;
      },
      hurry: () => hurried++,
      telemetry: { ...NO_TELEMETRY, readersWaiting: (delta) => (gauge += delta) },
    });
  });

  const need = new Map([[1, 5]]);
  const soon = (ms: number) => Date.now() + ms;

  async function rejection(waiting: Promise<void>): Promise<Error> {
    let thrown: unknown;
    await waiting.catch((error: unknown) => (thrown = error));
    expect(thrown).to.be.instanceOf(StoreUnavailableError);
    return thrown as Error;
  }

  it("when the projector here already applied the read's writes, then it passes at once without asking the graph", async () => {
    positions.applied(new Map([[1, 5]]));
    await gate.waitFor(need, soon(1000));
    expect(asked).to.equal(0);
  });

  it("when the projector here is behind, then the read waits, counted, until its writes are applied", async () => {
    positions.applied(new Map([[1, 3]]));
    const waiting = gate.waitFor(need, soon(5000));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.readersWaiting).to.equal(1);
    expect(gauge).to.equal(1);
    expect(hurried, "the projector was told to stop lingering").to.equal(1);
    positions.applied(new Map([[1, 4]]));
    expect(gate.readersWaiting, "not yet").to.equal(1);
    positions.applied(new Map([[1, 5]]));
    await waiting;
    expect(gate.readersWaiting).to.equal(0);
    expect(gauge).to.equal(0);
    expect(asked).to.equal(0);
  });

  it("when the writes are not applied by the deadline, then 503 saying the graph is catching up, and no waiter is left", async () => {
    positions.applied(new Map([[1, 3]]));
    const error = await rejection(gate.waitFor(need, soon(30)));
    expect(error.message).to.match(/bolt:\/\/fake is still catching up with the log/);
    expect(gate.readersWaiting).to.equal(0);
    expect(gauge).to.equal(0);
  });

  it("when the graph cannot be reached, then 503 at once naming why", async () => {
    unreachable = "connection refused";
    const error = await rejection(gate.waitFor(need, soon(5000)));
    expect(error.message).to.match(/bolt:\/\/fake: connection refused/);
  });

  it("when the projector here stops while a read waits, then the read looks again (and asks the graph)", async () => {
    positions.applied(new Map([[1, 3]]));
    const waiting = gate.waitFor(need, soon(5000));
    await new Promise((resolve) => setImmediate(resolve));
    graphHolds = new Map([[1, 5]]);
    positions.stopped();
    await waiting;
    expect(asked).to.equal(1);
  });

  it("when a standby has fresh news covering the read, then it passes without asking the graph", async () => {
    positions.heard("g1", new Map([[1, 6]]));
    await gate.waitFor(need, soon(1000));
    expect(asked).to.equal(0);
    expect(hurried).to.equal(0);
  });

  it("when a standby's fresh news lags, then it nudges the projector and waits for its next news, not asking the graph", async () => {
    positions.heard("g1", new Map([[1, 2]]));
    const waiting = gate.waitFor(need, soon(5000));
    await new Promise((resolve) => setImmediate(resolve));
    expect(hurried).to.equal(1);
    expect(gate.readersWaiting, "waiting for the news").to.equal(1);
    positions.heard("g1", new Map([[1, 4]]));
    expect(gate.readersWaiting, "not yet").to.equal(1);
    positions.heard("g1", new Map([[1, 5]]));
    await waiting;
    expect(asked).to.equal(0);
    expect(gate.readersWaiting).to.equal(0);
  });

  it("when a standby has no news, then it nudges the projector and asks the graph, which may say yes", async () => {
    graphHolds = new Map([[1, 5]]);
    await gate.waitFor(need, soon(1000));
    expect(asked).to.equal(1);
    expect(hurried).to.equal(1);
  });

  it("when a standby waits, then news of the projector applying the writes lets the read through", async () => {
    const waiting = gate.waitFor(need, soon(5000));
    await new Promise((resolve) => setImmediate(resolve));
    positions.heard("g1", new Map([[1, 5]]));
    await waiting;
    expect(gate.readersWaiting, "a standby's read is no projector's waiter").to.equal(0);
  });

  it("when news is about another graph, then a standby asks the graph instead", async () => {
    positions.heard("g0", new Map([[1, 9]]));
    graphHolds = new Map([[1, 5]]);
    await gate.waitFor(need, soon(1000));
    expect(asked).to.equal(1);
  });
});
