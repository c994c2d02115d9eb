import mysql from "mysql2/promise";
import type { Config } from "../lib/config.js";

/**
 * The MariaDB advisory lock that marks the scratch stores as in use by one run, followed by
 * `:` and the scratch database: locks are server-wide, and each scratch database (with its
 * Neo4j server) is a set of stores of its own.
 */
export const SCRATCH_LOCK = "vowelgraph_scratch_stores";

/** The lock's name for one scratch database. */
export const scratchLockName = (database: string) => `${SCRATCH_LOCK}:${database}`;

/**
 * Holds SCRATCH_LOCK on a connection of its own until `release` is called (or the process
 * dies). Whatever else takes the same lock (another bench, or a test run, which empties them) waits
 * or gives up instead of wiping the other's data half-way through.
 */
export async function lockScratchStores(
  config: Config,
  waitSeconds: number,
): Promise<{ release(): Promise<void> } | null> {
  const connection = await mysql.createConnection({
    host: config.mariadb.host,
    port: config.mariadb.port,
    user: config.mariadb.user,
    password: config.mariadb.password,
    database: config.mariadb.database,
  });
  // A lost connection (a spec that restarts MariaDB) only means the lock is gone.
  connection.on("error", () => {});
  const name = scratchLockName(config.mariadb.database);
  const [rows] = await connection.query("SELECT GET_LOCK(?, ?) AS locked", [name, waitSeconds]);
  if (Number((rows as { locked: number | null }[])[0]!.locked) !== 1) {
    await connection.end();
    return null;
  }
  return {
    async release() {
      await connection.query("SELECT RELEASE_LOCK(?)", [name]).catch(() => {});
      await connection.end().catch(() => {});
    },
  };
}
