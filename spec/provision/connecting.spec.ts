import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { loadConfig, PROJECT_ROOT } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
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

/** What the local servers are: their pids and their configuration files (content and mtime). */
function localServers(): Record<string, string> {
  const result = spawnSync(
    "bash",
    [
      "-c",
      `. "${PROVISION}/lib.sh"
      vg_md mariadb; echo "mariadb pid $(cat "$MD_PIDFILE")"; echo "mariadb cnf $MD_CNF"
      vg_md mariadb-test; echo "mariadb-test pid $(vg_mariadb_test_pids)"; echo "mariadb-test cnf $MD_CNF"
      for n in neo4j neo4j-test; do
        vg_n4 "$n"; echo "$n pid $(vg_neo4j_pids)"; echo "$n cnf $N4_CONF_DIR/neo4j.conf"
      done`,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const state: Record<string, string> = {};
  for (const line of result.stdout.trim().split("\n")) {
    const [name, kind, value] = line.split(" ");
    if (kind === "pid") {
      expect(value, `${name} runs`).to.match(/^\d+$/);
      state[`${name} pid`] = value!;
    } else {
      const stat = fs.statSync(value!);
      state[`${name} ${value}`] = `${stat.mtimeMs} ${fs.readFileSync(value!, "utf8")}`;
    }
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
    const [mariadb, mariadbTest, neo4j, neo4jTest] = await Promise.all(
      [3306, 3307, 7687, 7688].map((port) => startProxy(port)),
    );
    proxies.push(mariadb!, mariadbTest!, neo4j!, neo4jTest!);
    const before = localServers();

    const env = {
      ...process.env,
      DATA_INTERFACE: "graph",
      MARIADB_PORT: String(mariadb!.port),
      MARIADB_TEST_PORT: String(mariadbTest!.port),
      NEO4J_URI: `bolt://127.0.0.1:${neo4j!.port}`,
      NEO4J_TEST_URI: `bolt://127.0.0.1:${neo4jTest!.port}`,
    };
    const ensured = spawnSync("bash", [path.join(PROVISION, "ensure.sh")], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 100_000,
    });
    expect(ensured.status, ensured.stderr).to.equal(0);
    expect(ensured.stderr.match(/connecting as given, nothing provisioned/g)).to.have.length(4);
    expect(ensured.stderr).not.to.match(/installing|starting|stopping|wrote/);

    expect(localServers(), "the local servers' pids and configuration").to.deep.equal(before);
    // And the service's configuration reaches MariaDB through the proxy, as given.
    const pool = createMariadbPool(loadConfig(env).mariadb);
    try {
      const [rows] = await pool.query("SELECT @@port AS port");
      expect((rows as { port: number }[])[0]!.port).to.equal(3306);
    } finally {
      await pool.end();
    }
  });

  it("when MARIADB_PORT alone points at a proxy, then ensure.sh mariadb leaves the local MariaDB as it was", async function () {
    this.timeout(60_000);
    const proxy = await startProxy(3306);
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
