import { expect } from "chai";
import { checkFollows } from "../../../lib/projection/graph-identity.js";
import { GraphMismatchError, RebuildInProgressError } from "../../../lib/projection/graph-state.js";

const state = (over: Partial<Parameters<typeof checkFollows>[0]> = {}) => ({
  logId: "log-1",
  graphId: "g1",
  paused: false,
  positions: new Map([[1, 10]]),
  ...over,
});

describe("whether a graph follows the log", () => {
  it("when it was built from this log and is not ahead of it, then it follows", () => {
    expect(() => checkFollows(state(), "log-1", new Map([[1, 12]]))).to.not.throw();
  });

  it("when a rebuild paused it, then the projector waits for the rebuild", () => {
    expect(() => checkFollows(state({ paused: true }), "log-1", new Map([[1, 12]]))).to.throw(
      RebuildInProgressError,
    );
  });

  it("when it was built from another log, then it needs a rebuild, and the error says so", () => {
    expect(() => checkFollows(state({ logId: "log-0" }), "log-1", new Map([[1, 12]])))
      .to.throw(GraphMismatchError)
      .with.property("message")
      .that.matches(/another log \(log-0; this log is log-1\).*npm run graph:rebuild/);
  });

  it("when it holds events the log does not (a log restored from an older backup), then it needs a rebuild", () => {
    expect(() => checkFollows(state(), "log-1", new Map([[1, 9]])))
      .to.throw(GraphMismatchError)
      .with.property("message")
      .that.matches(/ahead of this log/);
  });
});
