import { expect } from "chai";
import { readPass } from "../../../lib/projection/apply-pass.js";
import { Applier } from "../../../lib/projection/applier.js";
import { RebuildInProgressError } from "../../../lib/projection/graph-state.js";
import { FakeGraph, FakeLog, neo4jError } from "../../support/fake-graph.js";

describe("applying the log to a graph (a fake Neo4j)", () => {
  let log: FakeLog;
  let graph: FakeGraph;

  beforeEach(() => {
    log = new FakeLog();
    graph = new FakeGraph();
  });

  const applier = (chunkSize = 100) =>
    new Applier({ server: "fake", driver: graph.driver(), log, logId: "log-1", chunkSize });

  describe("reading a pass", () => {
    it("when writers are behind, then it reads each one's events from its position to its head", async () => {
      log.append(1, 3);
      log.append(2, 2);
      const pass = await readPass(log, await log.heads(), new Map([[1, 1]]), 100);
      expect(pass.moves).to.deep.equal([
        { writer: 1, from: 1, to: 3 },
        { writer: 2, from: 0, to: 2 },
      ]);
      expect(pass.events.map((e) => e.uuid)).to.deep.equal(["1-2", "1-3", "2-1", "2-2"]);
    });

    it("when the budget runs out within a writer, then that writer moves only as far as it read", async () => {
      log.append(1, 5);
      log.append(2, 5);
      const pass = await readPass(log, await log.heads(), new Map(), 7);
      expect(pass.moves).to.deep.equal([
        { writer: 1, from: 0, to: 5 },
        { writer: 2, from: 0, to: 2 },
      ]);
      expect(pass.events).to.have.length(7);
    });

    it("when a writer's old rows left gaps in seq, then a page short of the budget still reaches its head", async () => {
      log.append(1, 4);
      log.events = log.events.filter((e) => e.seq !== 2);
      const pass = await readPass(log, await log.heads(), new Map(), 100);
      expect(pass.moves).to.deep.equal([{ writer: 1, from: 0, to: 4 }]);
    });

    it("when the graph holds everything, then the pass is empty", async () => {
      log.append(1, 2);
      const pass = await readPass(log, await log.heads(), new Map([[1, 2]]), 100);
      expect(pass).to.deep.equal({ moves: [], events: [] });
    });
  });

  describe("a pass", () => {
    it("when the log is ahead, then one transaction applies up to a chunk and moves the positions", async () => {
      log.append(1, 250);
      const a = applier(100);
      expect(await a.pass()).to.equal(100);
      expect(await a.pass()).to.equal(100);
      expect(await a.pass()).to.equal(50);
      expect(await a.pass()).to.equal(0);
      expect(graph.transactions).to.equal(3);
      expect(graph.sessions).to.have.length(250);
      expect(new Set(graph.sessions).size, "none twice").to.equal(250);
      expect([...a.positions]).to.deep.equal([[1, 250]]);
    });

    it("when another projector moved the graph meanwhile, then nothing is applied twice and it goes on from there", async () => {
      log.append(1, 10);
      const a = applier();
      graph.beforeApply = () => {
        graph.positions.set(1, 6);
        graph.beforeApply = () => {};
      };
      expect(await a.pass()).to.equal(0);
      expect([...a.positions]).to.deep.equal([[1, 6]]);
      expect(await a.pass()).to.equal(4);
      expect([...graph.positions]).to.deep.equal([[1, 10]]);
    });

    it("when a rebuild paused the graph, then the pass fails with the rebuild", async () => {
      log.append(1, 1);
      graph.paused = true;
      await a_pass_rejects(applier(), RebuildInProgressError);
    });

    it("when a transaction runs out of time, then none of it applies and the next tries half as many", async () => {
      log.append(1, 400);
      const a = applier(400);
      graph.failNextApply = neo4jError(
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
      );
      expect(await a.pass()).to.equal(0);
      expect(a.chunkNow).to.equal(200);
      expect(graph.sessions).to.have.length(0);
      expect(await a.pass()).to.equal(200);
    });

    it("when Neo4j is away, then the pass fails with its error", async () => {
      log.append(1, 1);
      graph.down = neo4jError("ServiceUnavailable");
      await a_pass_rejects(applier(), Error);
    });
  });
});

async function a_pass_rejects(applier: Applier, type: new (...args: never[]) => Error) {
  let thrown: unknown;
  await applier.pass().catch((error: unknown) => (thrown = error));
  expect(thrown).to.be.instanceOf(type);
}
