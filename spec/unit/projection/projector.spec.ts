import { expect } from "chai";
import { AppliedPositions } from "../../../lib/projection/applied-positions.js";
import { Projector } from "../../../lib/projection/projector.js";
import { FakeGraph, FakeLeases, FakeLog, neo4jError } from "../../support/fake-graph.js";

/** Polls `check` on the event loop until it holds, or fails after `ms`. */
async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    // The poll interval of this bounded wait: the fake's timers run on the same loop.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the projector's loop (a fake Neo4j, log and leases)", () => {
  let log: FakeLog;
  let graph: FakeGraph;
  let leases: FakeLeases;
  let positions: AppliedPositions;
  let told: [string, [number, number][]][];
  let problems: string[];
  let projector: Projector;

  beforeEach(() => {
    log = new FakeLog();
    graph = new FakeGraph();
    leases = new FakeLeases();
    positions = new AppliedPositions({ newsMs: 1000 });
    told = [];
    problems = [];
    projector = new Projector({
      server: "bolt://fake",
      driver: graph.driver(),
      log,
      leases: leases.leases(),
      logId: "log-1",
      positions,
      news: {
        applied: (graphId, at) => told.push([graphId, [...at]]),
        unreachable: (problem) => problems.push(problem),
      },
      tellEveryMs: 250,
      readersWaiting: () => false,
      linger: { pollMs: 5, lingerMs: 5, lingerEvents: 1000 },
    });
  });

  afterEach(async () => {
    await projector.close();
  });

  it("when it holds the lease, then it applies the log and its readers know the positions", async () => {
    log.append(1, 3);
    await projector.start();
    await until(() => positions.known()?.positions.get(1) === 3);
    expect(projector.isProjecting).to.equal(true);
    expect(positions.projectingHere).to.equal(true);
    expect(graph.sessions).to.deep.equal(["1-1", "1-2", "1-3"]);
    expect(told.at(-1)).to.deep.equal(["graph-1", [[1, 3]]]);
  });

  it("when events are committed later, then it applies them too", async () => {
    await projector.start();
    await until(() => projector.isProjecting);
    log.append(2, 2);
    projector.eventsCommitted(2);
    await until(() => graph.positions.get(2) === 2);
  });

  it("when another process holds the lease, then it stands by: reachable, applying nothing", async () => {
    leases.held = false;
    log.append(1, 3);
    await projector.start();
    expect(projector.status).to.deep.include({ reachable: true, projector: false, problem: null });
    expect(projector.isProjecting).to.equal(false);
    expect(graph.transactions).to.equal(0);
    expect(positions.projectingHere).to.equal(false);
  });

  it("when the graph was built from another log, then it is unreachable and says to rebuild", async () => {
    graph.logId = "log-0";
    await projector.start();
    expect(projector.unreachable).to.match(/another log.*npm run graph:rebuild/);
    expect(graph.transactions).to.equal(0);
  });

  it("when Neo4j goes away, then it stops projecting, its readers hear it, and the reason is given", async () => {
    log.append(1, 1);
    await projector.start();
    await until(() => positions.projectingHere);
    let heard = false;
    positions.onChange(() => (heard ||= !positions.projectingHere));
    graph.down = neo4jError("ServiceUnavailable", "connection refused");
    log.append(1, 1);
    projector.eventsCommitted(1);
    await until(() => projector.unreachable !== null);
    expect(projector.unreachable).to.match(/connection refused/);
    expect(problems.at(-1), "the other processes are told").to.match(/connection refused/);
    expect(heard).to.equal(true);
    expect(positions.known()).to.equal(null);
  });

  it("when it closes while projecting, then it gives the lease back", async () => {
    await projector.start();
    await until(() => projector.isProjecting);
    await projector.close();
    expect(leases.released).to.deep.equal(["projector:graph-1"]);
  });
});
