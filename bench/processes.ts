import path from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_ROOT } from "../lib/config.js";
import { scratchStoreEnv } from "../scratch/scratch-stores.js";
import { pidListeningOn, processTree, type Watched } from "./proc-stat.js";
import type { Backend, ServerVariant } from "./results.js";
import { startServer, type ServerProcess } from "./server-process.js";

/** The processes a run starts, where their scripts are, and the progress log. */

const here = path.dirname(fileURLToPath(import.meta.url));
export const MAIN_JS = path.join(PROJECT_ROOT, "dist", "lib", "main.js");
export const VERIFY_JS = path.join(PROJECT_ROOT, "dist", "ops", "verify-cli.js");
export const BARE_EXPRESS_JS = path.join(here, "bare-express.js");

const benchStarted = performance.now();
export const elapsedSeconds = () => (performance.now() - benchStarted) / 1000;

/** A progress line on stderr, stamped with the seconds since the bench started. */
export function say(message: string) {
  process.stderr.write(`[bench ${elapsedSeconds().toFixed(0).padStart(5)}s] ${message}\n`);
}

/** Child servers alive right now, stopped on the way out whatever happens. */
const running = new Set<ServerProcess>();

export async function serve(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  startTimeoutMs = 120_000,
): Promise<ServerProcess> {
  const server = await startServer({ name, script, env, startTimeoutMs });
  running.add(server);
  return server;
}

export async function stop(server: ServerProcess): Promise<void> {
  running.delete(server);
  await server.stop();
}

export async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((server) => stop(server)));
}

/**
 * A backend server's environment: the scratch stores, its backend and sqlite file; WORKERS and
 * PROJECTOR as given (unset: the server's defaults, whatever the caller's environment said).
 */
export function backendEnv(
  backend: Backend,
  sqlitePath: string,
  { workers = null, projector = null }: ServerVariant = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...scratchStoreEnv(),
    DATA_INTERFACE: backend,
    SQLITE_PATH: sqlitePath,
  };
  delete env.WORKERS;
  delete env.PROJECTOR;
  if (workers !== null) env.WORKERS = String(workers);
  if (projector !== null) env.PROJECTOR = projector;
  return env;
}

/** Where the stores listen, for finding their processes. */
export interface StorePorts {
  mariadb: number;
  neo4j: number;
}

/**
 * Whose CPU a measurement counts: the API server's whole process tree (cluster workers are its
 * children), mariadbd and the Neo4j JVM found by the ports they listen on (looked up once per
 * measurement: a bulk import restarts Neo4j under a new pid).
 */
export function watchedProcesses(server: ServerProcess, stores: StorePorts | null): Watched {
  const watched: Watched = { api: () => processTree(server.pid) };
  if (stores) {
    const mariadb = pidListeningOn(stores.mariadb);
    const neo4j = pidListeningOn(stores.neo4j);
    if (mariadb !== null) watched.mariadb = () => [mariadb];
    if (neo4j !== null) watched.neo4j = () => [neo4j];
  }
  return watched;
}

/** The gist of an error for the report: its first line and the first line naming an error. */
export function firstLines(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").filter((line) => line.trim() && !/^\s+at /.test(line));
  const named = lines.find((line, i) => i > 0 && /^\w*(Error|Exception)\b/.test(line.trim()));
  return [lines[0], named]
    .filter((line) => line !== undefined)
    .join(" … ")
    .slice(0, 600);
}
