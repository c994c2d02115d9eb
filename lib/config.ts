import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LOG_LEVELS, type LogLevel } from "./telemetry/logger.js";

/** Every setting the service reads from its environment, in one place. */
export interface Config {
  port: number;
  host: string;
  dataInterface: DataInterfaceName;
  sqlitePath: string;
  mariadb: {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
  };
  /** API processes sharing the port (node:cluster); 1 serves from the main process itself. */
  workers: number;
  /**
   * Where the graph backend's projector runs: `process`, a process of its own beside the API
   * processes; `worker`, inside the API processes (one of them, elected by lease).
   */
  projector: ProjectorPlacement;
  neo4j: {
    uri: string;
    /** Neo4j servers, each holding a full projection of the log; the first is `uri`. */
    uris: string[];
    user: string;
    password: string;
    /** The local server (provision/services.sh name) that `graph:rebuild` bulk-imports into. */
    server: string;
    /** Neo4j Browser, linked from the page; empty: the page's own host on port 7474. */
    browserUrl: string;
  };
  /** The structured log's level; `info` includes the access log (one line per request). */
  logLevel: LogLevel;
}

export const DATA_INTERFACES = ["graph", "sqlite", "null"] as const;
export const PROJECTOR_PLACEMENTS = ["process", "worker"] as const;
export type ProjectorPlacement = (typeof PROJECTOR_PLACEMENTS)[number];
export type DataInterfaceName = (typeof DATA_INTERFACES)[number];

// Compiled code lives one level deeper (dist/lib) than the sources (lib); both resolve to the root.
const parentOfLib = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PROJECT_ROOT =
  path.basename(parentOfLib) === "dist" ? path.dirname(parentOfLib) : parentOfLib;

export class ConfigError extends Error {}

/** Plain `KEY=value` lines; comments, blank lines and anything else are skipped. */
export function parseDefaults(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trimEnd());
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

/** The file that defines every default once; provision/lib.sh reads it too. */
export const DEFAULTS_FILE = path.join(PROJECT_ROOT, "config", "defaults.env");

/** Every default (config/defaults.env), by variable name. */
export const DEFAULTS: Readonly<Record<string, string>> = Object.freeze(
  parseDefaults(fs.readFileSync(DEFAULTS_FILE, "utf8")),
);

/**
 * Whether `uri` reaches the local Neo4j server that provision/services.sh runs as `server`
 * (its loopback Bolt port, e.g. NEO4J_TEST_BOLT_PORT for neo4j-test): only then may a bulk
 * import stop and replace that server's store for the graph behind `uri`.
 */
export function isManagedServer(
  uri: string,
  server: string,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const name = `${server.toUpperCase().replaceAll("-", "_")}_BOLT_PORT`;
  const port = env[name] || DEFAULTS[name];
  const url = new URL(uri.replace(/^[a-z+]+:/, "http:"));
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  return port !== undefined && loopback && url.port === port;
}

function fallback(name: string): string {
  const value = DEFAULTS[name];
  if (value === undefined) throw new Error(`${DEFAULTS_FILE} defines no ${name}`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, min: number, max: number) {
  const raw = text(env, name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** MARIADB_HOST: a host, or several `host[:port]` separated by commas (Galera nodes). */
function mariadbHost(env: NodeJS.ProcessEnv): string {
  const raw = text(env, "MARIADB_HOST");
  if (!/^[^\s:,]+(:\d{1,5})?(,[^\s:,]+(:\d{1,5})?)*$/.test(raw)) {
    throw new ConfigError(
      `MARIADB_HOST must be a host or a comma-separated list of host[:port], got "${raw}"`,
    );
  }
  return raw;
}

/** WORKERS: a number of processes, or "cores" for one per CPU core. */
function workers(env: NodeJS.ProcessEnv): number {
  if (text(env, "WORKERS") === "cores") return os.availableParallelism();
  return integer(env, "WORKERS", 1, 64);
}

/** The variable's value, or its default when unset or empty. */
function text(env: NodeJS.ProcessEnv, name: string) {
  const raw = env[name];
  return raw === undefined || raw === "" ? fallback(name) : raw;
}

/** NEO4J_URIS: comma-separated Bolt URIs; without it, the one NEO4J_URI. */
function neo4jUris(env: NodeJS.ProcessEnv, uri: string): string[] {
  const raw = env.NEO4J_URIS;
  if (raw === undefined || raw.trim() === "") return [uri];
  const uris = raw.split(",").map((part) => part.trim());
  for (const each of uris) {
    if (!/^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^\s/]+\/?$/.test(each)) {
      throw new ConfigError(
        `NEO4J_URIS must be comma-separated bolt:// URIs (e.g. bolt://127.0.0.1:7687), got "${each}"`,
      );
    }
  }
  if (new Set(uris).size !== uris.length)
    throw new ConfigError(`NEO4J_URIS repeats a server: "${raw}"`);
  return uris;
}

/** Reads and checks the configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataInterface = text(env, "DATA_INTERFACE");
  if (!(DATA_INTERFACES as readonly string[]).includes(dataInterface)) {
    throw new ConfigError(
      `DATA_INTERFACE must be one of ${DATA_INTERFACES.join(", ")}, got "${dataInterface}"`,
    );
  }
  const projector = text(env, "PROJECTOR");
  if (!(PROJECTOR_PLACEMENTS as readonly string[]).includes(projector)) {
    throw new ConfigError(
      `PROJECTOR must be one of ${PROJECTOR_PLACEMENTS.join(", ")}, got "${projector}"`,
    );
  }
  const uri = text(env, "NEO4J_URI");
  const logLevel = text(env, "LOG_LEVEL");
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  return {
    port: integer(env, "PORT", 0, 65535),
    host: text(env, "HOST"),
    dataInterface: dataInterface as DataInterfaceName,
    // A relative default is the project's; a path given is taken as given.
    sqlitePath: env.SQLITE_PATH || path.join(PROJECT_ROOT, fallback("SQLITE_PATH")),
    mariadb: {
      host: mariadbHost(env),
      port: integer(env, "MARIADB_PORT", 1, 65535),
      user: text(env, "MARIADB_USER"),
      password: text(env, "MARIADB_PASSWORD"),
      database: text(env, "MARIADB_DATABASE"),
    },
    workers: workers(env),
    projector: projector as ProjectorPlacement,
    neo4j: {
      uri,
      uris: neo4jUris(env, uri),
      user: text(env, "NEO4J_USER"),
      password: text(env, "NEO4J_PASSWORD"),
      server: text(env, "NEO4J_SERVER"),
      browserUrl: env.NEO4J_BROWSER_URL ?? "",
    },
    logLevel: logLevel as LogLevel,
  };
}

/**
 * Where the tests and the benchmark connect instead of the service's stores: their own MariaDB
 * server and database, their own Neo4j server (and its provision/services.sh name, which the
 * bulk-import rebuild stops and restarts), as overrides of the service's variables.
 */
export function testStoreEnv(env: NodeJS.ProcessEnv = process.env): {
  MARIADB_HOST: string;
  MARIADB_PORT: string;
  MARIADB_DATABASE: string;
  NEO4J_URI: string;
  NEO4J_SERVER: string;
} {
  return {
    MARIADB_HOST: text(env, "MARIADB_TEST_HOST"),
    MARIADB_PORT: text(env, "MARIADB_TEST_PORT"),
    MARIADB_DATABASE: text(env, "MARIADB_TEST_DATABASE"),
    NEO4J_URI: text(env, "NEO4J_TEST_URI"),
    NEO4J_SERVER: text(env, "NEO4J_TEST_SERVER"),
  };
}
