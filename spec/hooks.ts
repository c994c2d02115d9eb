import { spawnSync } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "../lib/config.js";
import { createMariadbPool, dropEventLog } from "../lib/stores/mariadb.js";
import { createNeo4jDriver } from "../lib/stores/neo4j.js";
import { lockScratchStores, SCRATCH_LOCK } from "../scratch/scratch-lock.js";
import { testConfig, testEnv } from "./support/graph-stores.js";
import { STORES_AVAILABLE } from "./support/stores-available.js";

// Above this many nodes, emptying the test graph through Cypher takes minutes; replacing its
// store with Neo4j's bulk importer takes seconds (the benchmark leaves millions behind).
const BULK_RESET_NODES = 200_000;

async function testGraphNodes(): Promise<number> {
  const driver = createNeo4jDriver(testConfig().neo4j);
  try {
    const result = await driver.executeQuery("MATCH (n) RETURN count(n) AS nodes");
    return Number(result.records[0]?.get("nodes") ?? 0);
  } finally {
    await driver.close();
  }
}

/** Empties the test stores once, by bulk import of an empty log, when they hold a lot. */
async function resetLargeTestStores() {
  if ((await testGraphNodes()) < BULK_RESET_NODES) return;
  const pool = createMariadbPool(testConfig().mariadb);
  try {
    await dropEventLog(pool);
  } finally {
    await pool.end();
  }
  const rebuild = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(PROJECT_ROOT, "ops", "rebuild-cli.ts")],
    { env: testEnv(), stdio: ["ignore", "ignore", "inherit"] },
  );
  if (rebuild.status !== 0) throw new Error("could not empty the test graph by bulk import");
}

let scratchLock: Awaited<ReturnType<typeof lockScratchStores>> = null;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    if (!STORES_AVAILABLE) return;
    this.timeout(600_000);
    // The bench empties and fills the same stores for up to an hour: refuse to share them
    // rather than fail at random. (A spec that stops MariaDB drops the lock's connection, so
    // the lock guards the start of a run, which is when a bench would otherwise be wiped.)
    scratchLock = await lockScratchStores(testConfig(), 0);
    if (!scratchLock) {
      throw new Error(
        `another run (npm run bench?) holds the test stores (MariaDB lock ${SCRATCH_LOCK}); ` +
          "run the tests when it has finished",
      );
    }
    await resetLargeTestStores();
  },
  async afterAll() {
    await scratchLock?.release();
  },
};
