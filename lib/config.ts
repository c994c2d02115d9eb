import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

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
  neo4j: {
    uri: string;
    /** Neo4j servers, each holding a full projection of the log; the first is `uri`. */
    uris: string[];
    user: string;
    password: string;
    /** The local server (provision/services.sh name) that `graph:rebuild` bulk-imports into. */
    server: string;
  };
}

export const DATA_INTERFACES = ["graph", "sqlite", "null"] as const;
export type DataInterfaceName = (typeof DATA_INTERFACES)[number];

// Compiled code lives one level deeper (dist/lib) than the sources (lib); both resolve to the root.
const parentOfLib = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PROJECT_ROOT =
  path.basename(parentOfLib) === "dist" ? path.dirname(parentOfLib) : parentOfLib;

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string) {
  const raw = env[name];
  return raw === undefined || raw === "" ? fallback : raw;
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
  const dataInterface = text(env, "DATA_INTERFACE", "graph");
  if (!(DATA_INTERFACES as readonly string[]).includes(dataInterface)) {
    throw new ConfigError(
      `DATA_INTERFACE must be one of ${DATA_INTERFACES.join(", ")}, got "${dataInterface}"`,
    );
  }
  const uri = text(env, "NEO4J_URI", "bolt://127.0.0.1:7687");
  return {
    port: integer(env, "PORT", 5000, 0, 65535),
    host: text(env, "HOST", "0.0.0.0"),
    dataInterface: dataInterface as DataInterfaceName,
    sqlitePath: text(env, "SQLITE_PATH", path.join(PROJECT_ROOT, "data", "vowelgraph.sqlite")),
    mariadb: {
      host: text(env, "MARIADB_HOST", "127.0.0.1"),
      port: integer(env, "MARIADB_PORT", 3306, 1, 65535),
      user: text(env, "MARIADB_USER", "og"),
      password: text(env, "MARIADB_PASSWORD", "og"),
      database: text(env, "MARIADB_DATABASE", "og"),
    },
    workers: integer(env, "WORKERS", os.availableParallelism(), 1, 64),
    neo4j: {
      uri,
      uris: neo4jUris(env, uri),
      user: text(env, "NEO4J_USER", "neo4j"),
      password: text(env, "NEO4J_PASSWORD", "vowelgraph"),
      server: text(env, "NEO4J_SERVER", "neo4j"),
    },
  };
}
