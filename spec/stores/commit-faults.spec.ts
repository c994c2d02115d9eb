import { expect } from "chai";
import { randomUUID } from "node:crypto";
import type { RowDataPacket } from "mysql2/promise";
import { OutcomeUnknownError, StoreUnavailableError } from "../../lib/backend/data-errors.js";
import { openGraphBackend, type GraphBackend } from "../../lib/backend/graph-backend.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { verifyGraph } from "../../ops/verify.js";
import { commitCuttingProxy } from "../support/commit-cutting-proxy.js";
import { openEmptyGraphBackend, testConfig, untilGraphCurrent } from "../support/graph-stores.js";
import { describeWithStores } from "../support/stores-available.js";

/** Each writer's sequence in the log: how many rows, and the highest seq (equal: no gaps). */
async function sequences(backend: GraphBackend) {
  const [rows] = await backend.pool.query<RowDataPacket[]>(
    "SELECT writer_id, COUNT(*) AS n, MAX(writer_seq) AS head FROM events GROUP BY writer_id",
  );
  return rows.map((row) => ({ n: Number(row.n), head: Number(row.head) }));
}

describeWithStores("graph backend: whatever happens to a commit", () => {
  let reference: GraphBackend;

  before(async () => {
    reference = await openEmptyGraphBackend();
  });
  after(() => reference.close());

  it("when every 7th COMMIT reply is lost on the way back, then the graph still equals the log", async function () {
    this.timeout(180_000);
    const config = testConfig();
    const proxy = await commitCuttingProxy(config.mariadb, 7);
    const backend = await openGraphBackend({
      ...config,
      mariadb: { ...config.mariadb, port: proxy.port },
    });
    const acknowledged: string[] = [];
    let unknown = 0;
    try {
      // 16 clients of initials and followups, each session's followup after its initial.
      const client = async (c: number) => {
        for (let i = 0; i < 60; i++) {
          const uuid = randomUUID();
          const symbol = SYMBOLS[(c * 7 + i) % 26]!;
          try {
            await backend.logInitial(uuid, symbol, i % 2 === 0);
            acknowledged.push(uuid);
            if (i % 3 === 0) await backend.logFollowup(uuid);
          } catch (error) {
            if (error instanceof OutcomeUnknownError) unknown++;
            else if (!(error instanceof StoreUnavailableError)) throw error;
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, c) => client(c)));
    } finally {
      await backend.close();
      await proxy.close();
    }
    expect(proxy.cut, "COMMIT replies cut").to.be.above(2);
    expect(unknown, "requests answered 503 with an unknown outcome").to.be.above(0);

    // The log holds every acknowledged initial, in sequences without gaps …
    const [found] = await reference.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM events WHERE initial_uuid IN (?)",
      [acknowledged],
    );
    expect(Number(found[0]!.n)).to.equal(acknowledged.length);
    for (const { n, head } of await sequences(reference)) expect(n).to.equal(head);
    // … and the graph holds exactly what the log holds, including the commits whose reply was lost.
    await untilGraphCurrent(reference);
    expect((await verifyGraph(reference)).differences).to.deep.equal([]);
  });
});
