import { spawnSync } from "node:child_process";
import { expect } from "chai";
import neo4j from "neo4j-driver";
import { loadConfig, PROJECT_ROOT } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { testReadNeo4jUri } from "../../scratch/scratch-stores.js";
import { testConfig } from "../support/graph-stores.js";
import { listenAddresses } from "../support/listeners.js";
import { describeWithStores } from "../support/stores-available.js";

/** What provision/lib.sh resolves (environment, /etc/default/vowelgraph, config/defaults.env). */
function provisionSettings(names: string[]): Record<string, string> {
  const result = spawnSync(
    "bash",
    ["-c", `. provision/lib.sh; for n in ${names.join(" ")}; do echo "$n=\${!n}"; done`],
    { cwd: PROJECT_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return Object.fromEntries(
    result.stdout
      .trim()
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

// The servers that `npm test` installs and starts with the same scripts as the service's (which
// it never touches): their accounts are the service's configuration, their addresses the tests'.
const config = testConfig();
const serviceConfig = loadConfig({ ...process.env, DATA_INTERFACE: "graph" });

describeWithStores(
  "provisioned stores (the tests' own, by the same scripts as the service's)",
  () => {
    describe("Neo4j", () => {
      it("when connecting over Bolt with the configured password, then it is 5.26.x Community", async () => {
        const driver = neo4j.driver(
          config.neo4j.uri,
          neo4j.auth.basic(config.neo4j.user, config.neo4j.password),
        );
        try {
          const info = await driver.getServerInfo();
          expect(info.address).to.match(new RegExp(`:${new URL(config.neo4j.uri).port}$`));
          const session = driver.session();
          try {
            const result = await session.run(
              "CALL dbms.components() YIELD name, versions, edition",
            );
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
          expect((error as { code?: string }).code).to.equal(
            "Neo.ClientError.Security.Unauthorized",
          );
        } finally {
          await driver.close();
        }
      });

      it("when the tests' second server (neo4j-test-read) is asked, then it answers with the configured password, a server of its own", async () => {
        const kernelOf = async (uri: string) => {
          const driver = neo4j.driver(
            uri,
            neo4j.auth.basic(config.neo4j.user, config.neo4j.password),
          );
          try {
            const session = driver.session({ database: "system" });
            try {
              const result = await session.run(
                "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition",
              );
              const info = await driver.getServerInfo();
              return {
                address: String(info.address),
                version: String(result.records[0]!.get("version")),
                edition: String(result.records[0]!.get("edition")),
              };
            } finally {
              await session.close();
            }
          } finally {
            await driver.close();
          }
        };
        const read = await kernelOf(testReadNeo4jUri());
        expect(read.address).to.match(/:7690$/);
        expect(read.version).to.match(/^5\.26\.\d+$/);
        expect(read.edition).to.equal("community");
        const test = await kernelOf(config.neo4j.uri);
        expect(test.address).not.to.equal(read.address);
      });

      it("when /browser/ is requested on the HTTP port, then Neo4j Browser is served", async () => {
        const { NEO4J_TEST_HTTP_PORT } = provisionSettings(["NEO4J_TEST_HTTP_PORT"]);
        const reply = await fetch(`http://127.0.0.1:${NEO4J_TEST_HTTP_PORT}/browser/`);
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

      it("when the tests connect, then they reach a server of their own, not the service's", async () => {
        const pool = createMariadbPool(config.mariadb);
        try {
          const [rows] = await pool.query("SELECT @@port AS port, @@datadir AS datadir");
          const tests = (rows as { port: number; datadir: string }[])[0]!;
          const service = provisionSettings(["MARIADB_SERVER_PORT"]);
          expect(tests.port).not.to.equal(serviceConfig.mariadb.port);
          expect(String(tests.port)).not.to.equal(service.MARIADB_SERVER_PORT);
          // The service's server is Debian's, on /var/lib/mysql (provision/lib.sh vg_md).
          expect(tests.datadir.replace(/\/$/, "")).not.to.equal("/var/lib/mysql");
        } finally {
          await pool.end();
        }
      });
    });

    describe("listen addresses", () => {
      it("when provisioned, then each of the tests' servers listens where its setting says: loopback by default", () => {
        const settings = provisionSettings([
          "MARIADB_TEST_BIND_ADDRESS",
          "MARIADB_TEST_SERVER_PORT",
          "NEO4J_TEST_LISTEN_ADDRESS",
          "NEO4J_TEST_BOLT_PORT",
          "NEO4J_TEST_HTTP_PORT",
          "NEO4J_TEST_READ_LISTEN_ADDRESS",
          "NEO4J_TEST_READ_BOLT_PORT",
          "NEO4J_TEST_READ_HTTP_PORT",
        ]);
        const expected = {
          [settings.MARIADB_TEST_SERVER_PORT!]: settings.MARIADB_TEST_BIND_ADDRESS,
          [settings.NEO4J_TEST_BOLT_PORT!]: settings.NEO4J_TEST_LISTEN_ADDRESS,
          [settings.NEO4J_TEST_HTTP_PORT!]: settings.NEO4J_TEST_LISTEN_ADDRESS,
          [settings.NEO4J_TEST_READ_BOLT_PORT!]: settings.NEO4J_TEST_READ_LISTEN_ADDRESS,
          [settings.NEO4J_TEST_READ_HTTP_PORT!]: settings.NEO4J_TEST_READ_LISTEN_ADDRESS,
        };
        const seen = Object.fromEntries(
          Object.keys(expected).map((port) => [port, listenAddresses(Number(port)).join(",")]),
        );
        expect(seen).to.deep.equal(expected);
      });
    });
  },
);
