import { expect } from "chai";
import {
  IdempotencyKeyReusedError,
  SessionConflictError,
  UnknownSessionError,
} from "../../../lib/backend/data-errors.js";
import { planBatch, type KeyedRequest, type KnownSession } from "../../../lib/log/batch-plan.js";

const U1 = "00000000-0000-4000-8000-000000000001";
const U2 = "00000000-0000-4000-8000-000000000002";

const plan = (
  requests: Parameters<typeof planBatch>[2],
  sessions: [string, KnownSession][] = [],
  keys: [string, KeyedRequest][] = [],
) => planBatch(3, 41, requests, new Map(sessions), new Map(keys));

describe("the log's session rules for one batch (planBatch)", () => {
  it("when initials are new, then each is appended with the writer's next seqs, in queue order", () => {
    const { events, outcomes } = plan([
      { kind: "initial", uuid: U1, symbol: "e", guess: true, at: 10 },
      { kind: "initial", uuid: U2, symbol: "x", guess: false, at: 11 },
    ]);
    expect(events.map((e) => [e.writer, e.seq, e.uuid])).to.deep.equal([
      [3, 42, U1],
      [3, 43, U2],
    ]);
    expect(outcomes).to.deep.equal([{ guess: true }, { guess: false }]);
  });

  it("when an initial repeats a logged session, then it appends nothing and gets the first guess", () => {
    const { events, outcomes } = plan(
      [{ kind: "initial", uuid: U1, symbol: "e", guess: false, at: 10 }],
      [[U1, { symbol: "e", guess: true, at: 5 }]],
    );
    expect(events).to.deep.equal([]);
    expect(outcomes).to.deep.equal([{ guess: true }]);
  });

  it("when an initial reuses a uuid with another symbol, then it is a conflict and appends nothing", () => {
    const { events, outcomes } = plan(
      [{ kind: "initial", uuid: U1, symbol: "a", guess: false, at: 10 }],
      [[U1, { symbol: "e", guess: true, at: 5 }]],
    );
    expect(events).to.deep.equal([]);
    expect((outcomes[0] as { error: Error }).error).to.be.instanceOf(SessionConflictError);
  });

  it("when a followup follows its initial in the same batch, then it counts with the initial's time", () => {
    const { events, outcomes } = plan([
      { kind: "initial", uuid: U1, symbol: "e", guess: true, at: 10 },
      { kind: "followup", uuid: U1, at: 12 },
    ]);
    expect(events.map((e) => [e.kind, e.seq, e.symbol, e.sessionAt])).to.deep.equal([
      ["initial", 42, "e", 10],
      ["followup", 43, "e", 10],
    ]);
    expect(outcomes).to.deep.equal([{ guess: true }, {}]);
  });

  it("when a followup comes before any initial of its uuid, then it is unknown and appends nothing", () => {
    const { events, outcomes } = plan([
      { kind: "followup", uuid: U1, at: 9 },
      { kind: "initial", uuid: U1, symbol: "e", guess: true, at: 10 },
    ]);
    expect(events.map((e) => e.kind)).to.deep.equal(["initial"]);
    expect((outcomes[0] as { error: Error }).error).to.be.instanceOf(UnknownSessionError);
  });

  it("when a followup's Idempotency-Key was logged, then it is answered again and appends nothing", () => {
    const { events, outcomes } = plan(
      [{ kind: "followup", uuid: U1, at: 20, key: "k1" }],
      [[U1, { symbol: "e", guess: true, at: 5 }]],
      [["k1", { kind: "followup", uuid: U1, symbol: "e", guess: true }]],
    );
    expect(events).to.deep.equal([]);
    expect(outcomes).to.deep.equal([{}]);
  });

  it("when one key comes twice in a batch, then the second is the first's repeat", () => {
    const { events, outcomes } = plan(
      [
        { kind: "followup", uuid: U1, at: 20, key: "k1" },
        { kind: "followup", uuid: U1, at: 21, key: "k1" },
        { kind: "followup", uuid: U1, at: 22 },
      ],
      [[U1, { symbol: "e", guess: true, at: 5 }]],
    );
    expect(events.map((e) => [e.seq, e.key])).to.deep.equal([
      [42, "k1"],
      [43, null],
    ]);
    expect(outcomes).to.deep.equal([{}, {}, {}]);
  });

  it("when a key comes back with another request, then it is refused and appends nothing", () => {
    const { events, outcomes } = plan(
      [{ kind: "followup", uuid: U2, at: 20, key: "k1" }],
      [[U2, { symbol: "x", guess: false, at: 5 }]],
      [["k1", { kind: "followup", uuid: U1, symbol: "e", guess: true }]],
    );
    expect(events).to.deep.equal([]);
    expect((outcomes[0] as { error: Error }).error).to.be.instanceOf(IdempotencyKeyReusedError);
  });
});
