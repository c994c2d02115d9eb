import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../lib/config.js";
import { scratchStoreEnv } from "../../scratch/scratch-stores.js";

const run = promisify(execFile);

/** The Neo4j instance the tests use, as provision/services.sh names it. */
export const TEST_NEO4J_SERVICE = scratchStoreEnv().NEO4J_SERVER;

/**
 * The tests' own MariaDB server (port 3307), as provision/services.sh names it: a test that stops
 * MariaDB stops this one, never `mariadb`, which holds the service's database.
 */
export const TEST_MARIADB_SERVICE = "mariadb-test";

/**
 * Starts or stops a real server, or pauses it (SIGSTOP: a hung server) and resumes it, through
 * the project's own lifecycle script, which finds its processes and uses sudo where it must (a
 * server runs as its own account).
 */
export async function service(
  action: "start" | "stop" | "pause" | "resume",
  target: string,
): Promise<void> {
  await run("bash", [path.join(PROJECT_ROOT, "provision", "services.sh"), action, target], {
    timeout: 180_000,
  });
}

/** Polls `probe` until it returns true, or fails after `seconds`. */
export async function eventually(seconds: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    if (await probe().catch(() => false)) return (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not true within ${seconds} s`);
}
