import net from "node:net";
import { expect } from "chai";
import type { RowDataPacket } from "mysql2/promise";
import { createMariadbPool, mariadbNodes } from "../../lib/stores/mariadb.js";
import { testConfig } from "../support/graph-stores.js";
import { describeWithStores } from "../support/stores-available.js";

/** A port nothing listens on (bound a moment ago, then closed): a node that is gone. */
async function deadPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("MARIADB_HOST as a list of nodes", () => {
  it("when it names several nodes, then each has its port or MARIADB_PORT's", () => {
    const config = { ...testConfig().mariadb, host: "db1,db2:3312, db3", port: 3306 };
    expect(mariadbNodes(config)).to.deep.equal([
      { host: "db1", port: 3306 },
      { host: "db2", port: 3312 },
      { host: "db3", port: 3306 },
    ]);
  });
});

describeWithStores("MARIADB_HOST as a list of nodes, on the tests' MariaDB", () => {
  it("when the first node is gone, then the pool moves to the next and queries succeed", async () => {
    const config = testConfig().mariadb;
    const pool = createMariadbPool({
      ...config,
      host: `127.0.0.1:${await deadPort()},${config.host}:${config.port}`,
    });
    try {
      for (let i = 0; i < 5; i++) {
        const [rows] = await pool.query<RowDataPacket[]>("SELECT @@port AS port");
        expect(Number(rows[0]!.port)).to.equal(config.port);
      }
      const connection = await pool.getConnection();
      connection.release();
    } finally {
      await pool.end();
    }
  });
});
