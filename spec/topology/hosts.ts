import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync, rmSync, createWriteStream } from "node:fs";
import path from "node:path";
import type { Pool } from "mysql2/promise";
import type { Driver } from "neo4j-driver";
import { PROJECT_ROOT } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { createNeo4jDriver } from "../../lib/stores/neo4j.js";

/**
 * The three simulated hosts of the topology test, as seen from the switch namespace vg-br
 * where the test runs (spec/topology/netns.sh draws the network): host N is namespace vg-hN,
 * running Galera node N, a Neo4j server and an API, reached over its client link 10.78.N.2.
 */
export const HOSTS = [1, 2, 3] as const;
export type Host = (typeof HOSTS)[number];

export const TOPOLOGY_DIR = process.env.TOPOLOGY_DIR ?? "/tmp/vg-topology";
const HERE = path.join(PROJECT_ROOT, "spec", "topology");

export const hostAddress = (n: Host) => `10.78.${n}.2`;
export const apiUrl = (n: Host) => `http://${hostAddress(n)}:5000`;
export const mariadbPort = (n: Host) => 3310 + n;

/** What provision/galera.sh needs to put node N in namespace vg-hN on 10.77.0.N. */
export const galeraEnv = {
  GALERA_BASE: TOPOLOGY_DIR,
  GALERA_NETNS: HOSTS.map((n) => `vg-h${n}`).join(" "),
  GALERA_ADDRESSES: HOSTS.map((n) => `10.77.0.${n}`).join(" "),
  TOPOLOGY_DIR,
};

/** Runs a command to its end; rejects with its output when it fails. Resolves with stdout. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...galeraEnv, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${out}${err}`));
    });
  });
}

export const galera = (action: string, ...nodes: Host[]) =>
  run("bash", [path.join(PROJECT_ROOT, "provision", "galera.sh"), action, ...nodes.map(String)]);
export const neo4jServer = (action: "start" | "stop" | "kill", n: Host) =>
  run("bash", [path.join(HERE, "neo4j-host.sh"), action, String(n)]);
export const network = (action: "cut" | "heal", n: Host) =>
  run("bash", [path.join(HERE, "netns.sh"), action, String(n)]);

/** The environment of host N's API, as a deployment would set it. */
export function apiEnv(n: Host): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PORT: "5000",
    HOST: "0.0.0.0",
    DATA_INTERFACE: "graph",
    MARIADB_HOST: "127.0.0.1",
    MARIADB_PORT: String(mariadbPort(n)),
    MARIADB_DATABASE: "og",
    NEO4J_URI: "bolt://127.0.0.1:7687",
    NEO4J_URIS: "bolt://127.0.0.1:7687",
    WORKERS: process.env.TOPOLOGY_WORKERS ?? "2",
  };
}

/** Host N's API process (`node dist/lib/main.js` inside vg-hN); killed by pid. */
export class Api {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly host: Host) {}

  get pidFile() {
    return path.join(TOPOLOGY_DIR, `api-${this.host}.pid`);
  }

  async start(): Promise<number> {
    const started = performance.now();
    const log = createWriteStream(path.join(TOPOLOGY_DIR, `api-${this.host}.log`), { flags: "a" });
    // `ip netns exec` execs node, so the child's pid is the API's.
    const child = spawn(
      "ip",
      ["netns", "exec", `vg-h${this.host}`, process.execPath, "dist/lib/main.js"],
      { cwd: PROJECT_ROOT, env: apiEnv(this.host), stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    writeFileSync(this.pidFile, `${child.pid}\n`);
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`API ${this.host} did not start:\n${output}`)),
        120_000,
      );
      const collect = (chunk: Buffer) => {
        log.write(chunk);
        output += chunk.toString();
        if (/listening on/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on("data", collect);
      child.stderr!.on("data", collect);
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`API ${this.host} exited before listening:\n${output}`));
      });
    });
    return performance.now() - started;
  }

  /** SIGKILL (a crash) or SIGTERM (a drain), then waits for the exit. */
  async stop(signal: NodeJS.Signals = "SIGKILL") {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
    this.child = null;
    rmSync(this.pidFile, { force: true });
  }
}

/** The test's own connections to host N's stores, over its client link. */
export function hostPool(n: Host): Pool {
  return createMariadbPool({
    host: hostAddress(n),
    port: mariadbPort(n),
    user: "og",
    password: "og",
    database: "og",
  });
}

export function hostDriver(n: Host): Driver {
  const uri = `bolt://${hostAddress(n)}:7687`;
  return createNeo4jDriver({
    uri,
    uris: [uri],
    user: "neo4j",
    password: "unused",
    server: `topology-${n}`,
    browserUrl: "",
  });
}
