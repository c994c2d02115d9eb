import { expect } from "chai";
import { StoreUnavailableError } from "../../../lib/backend/data-errors.js";
import { GraphServer } from "../../../lib/backend/graph-server.js";
import type { Leases } from "../../../lib/log/leases.js";
import type { LogReader } from "../../../lib/log/log-reader.js";
import { FakeGraph, FakeLeases, FakeLog } from "../../support/fake-graph.js";

describe("one Neo4j server as an API process without a projector sees it (fakes)", () => {
  let graph: FakeGraph;
  let server: GraphServer;

  beforeEach(() => {
    graph = new FakeGraph();
    server = new GraphServer({
      uri: "bolt://fake:7687",
      driver: graph.driver(),
      log: new FakeLog() as unknown as LogReader,
      leases: new FakeLeases() as unknown as Leases,
      logId: graph.logId,
      project: false,
    });
  });
  afterEach(() => server.close());

  it("when the graph holds a projection record, then its positions are the answer", async () => {
    graph.positions.set(3, 41);
    expect(await server.probePositions()).to.deep.equal(new Map([[3, 41]]));
  });

  it("when no projector has prepared the graph yet, then asking it is a 503 naming the server, not a 500", async () => {
    graph.prepared = false;
    const error = await server.probePositions().then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).to.be.instanceOf(StoreUnavailableError);
    expect((error as Error).message).to.contain("bolt://fake:7687");
  });
});
