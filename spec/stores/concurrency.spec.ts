import { expect } from "chai";
import { describeWithStores } from "../support/stores-available.js";
import { frequencyLetterStream } from "../../lib/client/letter-stream.js";
import { runLoad } from "../../lib/client/load-client.js";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import { verifyGraph } from "../../ops/verify.js";
import type { SymbolAggregate } from "../../lib/model/aggregates.js";
import { seededRandom } from "../../lib/model/random.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { openEmptyGraphBackend } from "../support/graph-stores.js";
import { getJson, serve, type TestServer } from "../support/test-server.js";

describeWithStores("graph backend: 64 concurrent clients", () => {
  let backend: GraphBackend;
  let server: TestServer;

  before(async () => {
    backend = await openEmptyGraphBackend();
    server = await serve(backend);
  });
  after(async () => {
    await server.close();
    await backend.close();
  });

  const dashboards = async () =>
    Promise.all(
      SYMBOLS.map(
        async (s) => (await getJson<SymbolAggregate>(server.url, `/dashboard/symbol/${s}`)).json,
      ),
    );

  it("when 64 clients post initials and followups at once, then every count is exact", async () => {
    const before = await dashboards();
    const random = seededRandom(64);
    const summary = await runLoad({
      baseUrl: server.url,
      iterations: 6000,
      concurrency: 64,
      letters: frequencyLetterStream(random),
      random,
    });
    expect(summary.errors, summary.errorSamples.join("\n")).to.equal(0);
    expect(summary.followups).to.be.above(0);

    // Read-your-writes: no waiting between the last POST and these reads.
    const after = await dashboards();
    SYMBOLS.forEach((symbol, i) => {
      const sent = summary.sentBySymbol[symbol] ?? { initials: 0, followups: 0 };
      expect(after[i]!.count - before[i]!.count, `${symbol} count`).to.equal(sent.initials);
      expect(after[i]!.followups - before[i]!.followups, `${symbol} followups`).to.equal(
        sent.followups,
      );
    });
    const { differences } = await verifyGraph(backend);
    expect(differences).to.deep.equal([]);
  });
});
