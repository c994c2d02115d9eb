import { expect } from "chai";
import { StoreUnavailableError } from "../../../lib/backend/data-errors.js";
import type { LogPositions } from "../../../lib/log/log-positions.js";
import { FreshReads, type ReadableGraph } from "../../../lib/reads/fresh-read.js";

/** A graph whose known positions, gate and answers a test sets. */
class FakeReadable implements ReadableGraph<string> {
  knownNow: LogPositions | null = null;
  projectingHere = false;
  waited: LogPositions[] = [];
  queries = 0;
  failQuery: Error | null = null;
  constructor(readonly dashboard: string) {}
  known() {
    return this.knownNow;
  }
  async waitFor(need: LogPositions) {
    this.waited.push(need);
  }
}

describe("reads that see their writes, over several graphs (fakes)", () => {
  let heads: LogPositions;
  let headsAsked: number;
  let headsRelease: (() => void) | null;
  let graphs: FakeReadable[];
  let reads: FreshReads<string>;
  const events: string[] = [];

  beforeEach(() => {
    heads = new Map([[1, 5]]);
    headsAsked = 0;
    headsRelease = null;
    events.length = 0;
    graphs = [new FakeReadable("g1"), new FakeReadable("g2")];
    reads = new FreshReads({
      graphs: () => graphs,
      heads: () => {
        headsAsked++;
        events.push("heads asked");
        return new Promise((resolve) => {
          headsRelease = () => {
            events.push("heads answered");
            resolve(heads);
          };
          if (!holdHeads) headsRelease();
        });
      },
      waitMs: 5000,
    });
  });

  let holdHeads = false;
  afterEach(() => (holdHeads = false));

  const query = async (dashboard: string) => {
    const graph = graphs.find((g) => g.dashboard === dashboard)!;
    graph.queries++;
    events.push(`query ${dashboard}`);
    if (graph.failQuery) throw graph.failQuery;
    return `answer from ${dashboard}`;
  };

  it("when no graph is known to be current, then the read waits at the first graph's gate for the heads", async () => {
    expect(await reads.read(query)).to.equal("answer from g1");
    expect(graphs[0]!.waited).to.deep.equal([heads]);
    expect(graphs[0]!.queries).to.equal(1);
  });

  it("when the graph held the last heads and still holds the new ones, then heads and query go out together, and the gate is not asked", async () => {
    await reads.read(query); // learns the heads
    graphs[0]!.knownNow = new Map([[1, 5]]);
    graphs[0]!.waited = [];
    events.length = 0;
    holdHeads = true;
    const reading = reads.read(query);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events, "the query left before the heads came back").to.deep.equal([
      "heads asked",
      "query g1",
    ]);
    headsRelease!();
    expect(await reading).to.equal("answer from g1");
    expect(graphs[0]!.waited).to.deep.equal([]);
  });

  it("when writes arrived meanwhile (the new heads are past what the graph held), then that answer is dropped and the read waits for them", async () => {
    await reads.read(query);
    graphs[0]!.knownNow = new Map([[1, 5]]);
    heads = new Map([[1, 7]]);
    graphs[0]!.queries = 0;
    expect(await reads.read(query)).to.equal("answer from g1");
    expect(graphs[0]!.queries, "asked again after the gate").to.equal(2);
    expect(graphs[0]!.waited.at(-1)).to.deep.equal(new Map([[1, 7]]));
  });

  it("when this process committed past what the graph holds, then the next read goes to the gate without asking the graph first", async () => {
    await reads.read(query);
    graphs[0]!.knownNow = new Map([[1, 5]]);
    reads.committed(1, 6);
    heads = new Map([[1, 6]]);
    graphs[0]!.queries = 0;
    graphs[0]!.waited = [];
    expect(await reads.read(query)).to.equal("answer from g1");
    expect(graphs[0]!.queries, "one query, after the gate").to.equal(1);
    expect(graphs[0]!.waited).to.deep.equal([new Map([[1, 6]])]);
  });

  it("when the graph this process projects into is listed second, then it is asked first", async () => {
    graphs[1]!.projectingHere = true;
    expect(await reads.read(query)).to.equal("answer from g2");
  });

  it("when the first graph is down, then the next one answers", async () => {
    graphs[0]!.failQuery = new StoreUnavailableError("Neo4j", "g1 refused");
    expect(await reads.read(query)).to.equal("answer from g2");
  });

  it("when the known-current graph is down, then the next one answers after its gate, and the first is not asked twice", async () => {
    await reads.read(query);
    graphs[0]!.knownNow = new Map([[1, 5]]);
    graphs[0]!.failQuery = new StoreUnavailableError("Neo4j", "g1 refused");
    graphs[0]!.queries = 0;
    expect(await reads.read(query)).to.equal("answer from g2");
    expect(graphs[0]!.queries).to.equal(1);
    expect(graphs[1]!.waited).to.deep.equal([heads]);
  });

  it("when every graph is down, then the first failure is the answer (503)", async () => {
    graphs[0]!.failQuery = new StoreUnavailableError("Neo4j", "g1 refused");
    graphs[1]!.failQuery = new StoreUnavailableError("Neo4j", "g2 refused");
    let thrown: unknown;
    await reads.read(query).catch((error: unknown) => (thrown = error));
    expect((thrown as Error).message).to.match(/g1 refused/);
  });

  it("when a query fails for another reason, then that error is the answer", async () => {
    graphs[0]!.failQuery = new TypeError("a bug");
    let thrown: unknown;
    await reads.read(query).catch((error: unknown) => (thrown = error));
    expect(thrown).to.be.instanceOf(TypeError);
    expect(graphs[1]!.queries).to.equal(0);
  });

  it("when the log cannot be read, then the read fails with it", async () => {
    reads = new FreshReads({
      graphs: () => graphs,
      heads: () => Promise.reject(new StoreUnavailableError("MariaDB", "down")),
      waitMs: 5000,
    });
    let thrown: unknown;
    await reads.read(query).catch((error: unknown) => (thrown = error));
    expect((thrown as Error).message).to.match(/MariaDB is unavailable: down/);
    expect(headsAsked).to.equal(0);
  });
});
