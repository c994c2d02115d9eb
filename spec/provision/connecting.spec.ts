import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { DEFAULTS, loadConfig, PROJECT_ROOT } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { testConfig } from "../support/graph-stores.js";
import { listeners } from "../support/listeners.js";
import { describeWithStores } from "../support/stores-available.js";

const PROVISION = path.join(PROJECT_ROOT, "provision");

/** A TCP proxy on a free loopback port to 127.0.0.1:`target`: "a server elsewhere". */
async function startProxy(target: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The ports of the local servers (config/defaults.env): the service's and the tests'. */
const PORTS = {
  mariadb: Number(DEFAULTS.MARIADB_SERVER_PORT),
  "mariadb-test": Number(DEFAULTS.MARIADB_TEST_SERVER_PORT),
  neo4j: Number(DEFAULTS.NEO4J_BOLT_PORT),
  "neo4j-test": Number(DEFAULTS.NEO4J_TEST_BOLT_PORT),
  "neo4j-test-read": Number(DEFAULTS.NEO4J_TEST_READ_BOLT_PORT),
};

/**
 * What the local servers are: the inode of each one's listening socket (a new one whenever it
 * restarts; readable by any user, whoever runs the server) and its configuration file (content
 * and mtime). The service's servers are recorded as they are, running or not (`npm test` never
 * starts them); the tests' must be running, so that "unchanged" means something.
 */
function localServers(): Record<string, string> {
  const result = spawnSync(
    "bash",
    [
      "-c",
      `. "${PROVISION}/lib.sh"
      for n in mariadb mariadb-test; do vg_md "$n"; echo "$n $MD_CNF"; done
      for n in neo4j neo4j-test neo4j-test-read; do vg_n4 "$n"; echo "$n $N4_CONF_DIR/neo4j.conf"; done`,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const state: Record<string, string> = {};
  for (const line of result.stdout.trim().split("\n")) {
    const [name, cnf] = line.split(" ") as [keyof typeof PORTS, string];
    const sockets = listeners(PORTS[name]).map((listener) => listener.inode);
    if (name.includes("-test")) expect(sockets.length, `${name} runs`).to.be.above(0);
    state[`${name} listening`] = sockets.sort().join(",") || "none";
    state[`${name} ${cnf}`] = fs.existsSync(cnf)
      ? `${fs.statSync(cnf).mtimeMs} ${fs.readFileSync(cnf, "utf8")}`
      : "absent";
  }
  return state;
}

describeWithStores("provisioning: connecting is not provisioning", () => {
  const proxies: { port: number; close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });

  it("when every address points at a proxy (a server elsewhere), then ensure.sh changes nothing on this machine", async function () {
    this.timeout(120_000);
    // Each proxy leads to one of the tests' servers: the service's are never touched.
    const proxy = async (port: number) => {
      const started = await startProxy(port);
      proxies.push(started);
      return started.port;
    };
    const env = {
      ...process.env,
      DATA_INTERFACE: "graph",
      MARIADB_PORT: String(await proxy(PORTS["mariadb-test"])),
      MARIADB_DATABASE: testConfig().mariadb.database,
      MARIADB_TEST_PORT: String(await proxy(PORTS["mariadb-test"])),
      NEO4J_URI: `bolt://127.0.0.1:${await proxy(PORTS["neo4j-test"])}`,
      NEO4J_TEST_URI: `bolt://127.0.0.1:${await proxy(PORTS["neo4j-test"])}`,
      NEO4J_TEST_READ_URI: `bolt://127.0.0.1:${await proxy(PORTS["neo4j-test-read"])}`,
    };
    const before = localServers();

    const ensured = spawnSync("bash", [path.join(PROVISION, "ensure.sh"), "service", "tests"], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 100_000,
    });
    expect(ensured.status, ensured.stderr).to.equal(0);
    expect(ensured.stderr.match(/connecting as given, nothing provisioned/g)).to.have.length(5);
    expect(ensured.stderr).not.to.match(/installing|starting|stopping|wrote/);

    expect(localServers(), "the local servers' sockets and configuration").to.deep.equal(before);
    // And the service's configuration reaches MariaDB through the proxy, as given.
    const pool = createMariadbPool(loadConfig(env).mariadb);
    try {
      const [rows] = await pool.query("SELECT @@port AS port");
      expect((rows as { port: number }[])[0]!.port).to.equal(PORTS["mariadb-test"]);
    } finally {
      await pool.end();
    }
  });

  it("when MARIADB_PORT alone points at a proxy, then ensure.sh mariadb leaves the local MariaDB as it was", async function () {
    this.timeout(60_000);
    const proxy = await startProxy(PORTS["mariadb-test"]);
    proxies.push(proxy);
    const before = localServers();
    const ensured = spawnSync("bash", [path.join(PROVISION, "ensure.sh"), "mariadb"], {
      env: { ...process.env, DATA_INTERFACE: "graph", MARIADB_PORT: String(proxy.port) },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 50_000,
    });
    expect(ensured.status, ensured.stderr).to.equal(0);
    expect(ensured.stderr).to.match(
      new RegExp(
        `mariadb: MARIADB_HOST:MARIADB_PORT=127\\.0\\.0\\.1:${proxy.port} is not the local server`,
      ),
    );
    expect(localServers()).to.deep.equal(before);
  });
});
