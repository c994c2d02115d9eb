import { expect } from "chai";
import neo4j from "neo4j-driver";
import { loadConfig } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/graph/mariadb.js";
import { describeWithStores } from "../support/stores-available.js";

// The service's own configuration, as `npm start` reads it: the servers the README promises.
const config = loadConfig({ ...process.env, DATA_INTERFACE: "graph" });
const httpUrl = process.env.NEO4J_HTTP_URL ?? "http://127.0.0.1:7474";

describeWithStores("provisioned stores", () => {
  describe("Neo4j", () => {
    it("when connecting over Bolt with the configured password, then it is 5.26.x Community", async () => {
      const driver = neo4j.driver(
        config.neo4j.uri,
        neo4j.auth.basic(config.neo4j.user, config.neo4j.password),
      );
      try {
        const info = await driver.getServerInfo();
        expect(info.address).to.match(/7687$/);
        const session = driver.session();
        try {
          const result = await session.run("CALL dbms.components() YIELD name, versions, edition");
          const kernel = result.records[0]!;
          expect(kernel.get("name")).to.equal("Neo4j Kernel");
          expect(kernel.get("versions")[0]).to.match(/^5\.26\.\d+$/);
          expect(kernel.get("edition")).to.equal("community");
        } finally {
          await session.close();
        }
      } finally {
        await driver.close();
      }
    });

    it("when connecting with a wrong password, then it is refused", async () => {
      const driver = neo4j.driver(
        config.neo4j.uri,
        neo4j.auth.basic(config.neo4j.user, "wrong-password"),
      );
      try {
        await driver.verifyConnectivity();
        expect.fail("a wrong password was accepted");
      } catch (error) {
        expect((error as { code?: string }).code).to.equal("Neo.ClientError.Security.Unauthorized");
      } finally {
        await driver.close();
      }
    });

    it("when /browser/ is requested on the HTTP port, then Neo4j Browser is served", async () => {
      const reply = await fetch(`${httpUrl}/browser/`);
      expect(reply.status).to.equal(200);
      const html = await reply.text();
      expect(html).to.match(/<title>Neo4j Browser<\/title>/i);
    });
  });

  describe("MariaDB", () => {
    it("when connecting as the configured account, then a SQL round trip works", async () => {
      const pool = createMariadbPool(config.mariadb);
      try {
        const [rows] = await pool.query(
          "SELECT 1 + 1 AS two, DATABASE() AS db, @@version AS version",
        );
        const row = (rows as { two: number; db: string; version: string }[])[0]!;
        expect(row.two).to.equal(2);
        expect(row.db).to.equal(config.mariadb.database);
        expect(row.version).to.match(/MariaDB/);
      } finally {
        await pool.end();
      }
    });
  });
});
