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
  neo4j: {
    uri: string;
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
export type DataInterfaceName = (typeof DATA_INTERFACES)[number];

// Compiled code lives one level deeper (dist/lib) than the sources (lib); both resolve to the root.
const parentOfLib = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PROJECT_ROOT =
  path.basename(parentOfLib) === "dist" ? path.dirname(parentOfLib) : parentOfLib;

export class ConfigError extends Error {}

/** See README "Logs": the access log at c64 costs less than 5% of ingest at this level. */
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

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

/** Reads and checks the configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataInterface = text(env, "DATA_INTERFACE", "graph");
  if (!(DATA_INTERFACES as readonly string[]).includes(dataInterface)) {
    throw new ConfigError(
      `DATA_INTERFACE must be one of ${DATA_INTERFACES.join(", ")}, got "${dataInterface}"`,
    );
  }
  const logLevel = text(env, "LOG_LEVEL", DEFAULT_LOG_LEVEL);
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
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
    neo4j: {
      uri: text(env, "NEO4J_URI", "bolt://127.0.0.1:7687"),
      user: text(env, "NEO4J_USER", "neo4j"),
      password: text(env, "NEO4J_PASSWORD", "vowelgraph"),
      server: text(env, "NEO4J_SERVER", "neo4j"),
      browserUrl: text(env, "NEO4J_BROWSER_URL", ""),
    },
    logLevel: logLevel as LogLevel,
  };
}
