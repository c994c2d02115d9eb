import { expect } from "chai";
import { openGraphBackend, type GraphBackend } from "../../lib/backend/graph-backend.js";
import { verifyGraph } from "../../ops/verify.js";
import { testReadNeo4jServer, testReadNeo4jUri } from "../../scratch/scratch-stores.js";
import {
  resetStores,
  testConfig,
  untilGraphCurrent,
  wipeTestGraph,
} from "../support/graph-stores.js";
import { postUntil } from "../support/load-loop.js";
import { eventually, service } from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";
import { getJson, serve, type TestServer } from "../support/test-server.js";

/** The tests' second Neo4j server (provision/services.sh `neo4j-test-read`). */
const READ_URI = testReadNeo4jUri();
const READ_SERVER = testReadNeo4jServer();

/** A backend that reads from one server only, to check that server's graph on its own. */
const onlyOn = (uri: string) => {
  const config = testConfig();
  return openGraphBackend({ ...config, neo4j: { ...config.neo4j, uri, uris: [uri] } });
};

describeWithStores("graph backend: two Neo4j servers, each a full projection", function () {
  // Waits inside: a Neo4j stop and start (up to 3 min), the catch-up.
  this.timeout(600_000);
  let backend: GraphBackend;
  let server: TestServer;

  before(async () => {
    await resetStores();
    await wipeTestGraph(READ_URI);
    const config = testConfig();
    backend = await openGraphBackend({
      ...config,
      // The read server first: reads go to it while it is up, so stopping it is felt.
      neo4j: { ...config.neo4j, uris: [READ_URI, config.neo4j.uri] },
    });
    server = await serve(backend);
  });
  after(async () => {
    await server?.close();
    await backend?.close();
    await service("start", READ_SERVER);
  });

  it("when one of them is stopped under load, then dashboards keep answering; restarted, it catches up and equals the log", async () => {
    let done = false;
    const load = postUntil(server.url, 16, () => done);
    await eventually(60, async () => load.acked.initials.size >= 200);
    await service("stop", READ_SERVER);
    // With one server down, every dashboard read still answers (from the other).
    const during: number[] = [];
    for (let i = 0; i < 20; i++) {
      during.push((await getJson(server.url, `/dashboard/symbol/${"aeiou"[i % 5]}`)).status);
    }
    await service("start", READ_SERVER);
    done = true;
    const acked = await load.done;
    expect(
      during.every((status) => status === 200),
      `statuses ${during.join(",")}`,
    ).to.equal(true);
    expect(acked.initials.size).to.be.above(200);

    await untilGraphCurrent(backend);
    for (const uri of [testConfig().neo4j.uri, READ_URI]) {
      const single = await onlyOn(uri);
      try {
        expect((await verifyGraph(single)).differences, uri).to.deep.equal([]);
      } finally {
        await single.close();
      }
    }
  });
});
