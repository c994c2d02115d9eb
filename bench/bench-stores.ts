import { isManagedServer, PROJECT_ROOT, type Config } from "../lib/config.js";
import { createMariadbPool, dropEventLog } from "../lib/stores/mariadb.js";
import { createNeo4jDriver } from "../lib/stores/neo4j.js";
import { LogReader } from "../lib/log/log-reader.js";
import { eventsBehind } from "../lib/log/log-positions.js";
import { CYPHER } from "../lib/stores/statements.js";
import path from "node:path";
import { lockScratchStores, SCRATCH_LOCK, scratchLockName } from "../scratch/scratch-lock.js";
import { scratchStoreEnv } from "../scratch/scratch-stores.js";
import { runJson } from "./run-script.js";

/** How many rows the scratch log holds, or null when its table is missing. */
export async function countLoggedEvents(config: Config): Promise<number | null> {
  const pool = createMariadbPool(config.mariadb);
  try {
    const [rows] = await pool.query("SELECT COUNT(*) AS n FROM events");
    return Number((rows as { n: number }[])[0]!.n);
  } catch (error) {
    if ((error as { code?: string }).code === "ER_NO_SUCH_TABLE") return null;
    throw error;
  } finally {
    await pool.end();
  }
}

/** Why the scratch stores cannot be used, or null when both answer. */
export async function storesProblem(config: Config): Promise<string | null> {
  const pool = createMariadbPool(config.mariadb);
  const driver = createNeo4jDriver(config.neo4j);
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    return `MariaDB ${config.mariadb.host}:${config.mariadb.port}/${config.mariadb.database}: ${String(error)}`;
  } finally {
    await pool.end();
  }
  try {
    await driver.verifyConnectivity();
    return null;
  } catch (error) {
    return `Neo4j ${config.neo4j.uri}: ${String(error)}`;
  } finally {
    await driver.close();
  }
}

/**
 * Connections to the scratch database other than this one and the one holding SCRATCH_LOCK (the
 * bench's own): a test run that started before the bench took the lock (the tests hold it only
 * while they start) is still using the stores.
 */
export async function otherScratchConnections(config: Config): Promise<number> {
  const pool = createMariadbPool(config.mariadb);
  try {
    const [rows] = await pool.query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST " +
        "WHERE DB = ? AND ID <> CONNECTION_ID() AND ID <> COALESCE(IS_USED_LOCK(?), 0)",
      [config.mariadb.database, scratchLockName(config.mariadb.database)],
    );
    return Number((rows as { n: number }[])[0]!.n);
  } finally {
    await pool.end();
  }
}

/**
 * Takes the scratch stores for a run (the bench, the soak): their lock (waiting 5 s), then waits
 * up to 10 minutes for a test run that began before it (seen by its connections) to end.
 * Returns the lock, or the reason the stores cannot be had.
 */
export async function holdScratchStores(
  config: Config,
  say: (message: string) => void,
): Promise<{ release(): Promise<void> } | { refused: string }> {
  const lock = await lockScratchStores(config, 5);
  if (!lock) {
    return {
      refused: `another run holds the scratch stores (MariaDB lock ${SCRATCH_LOCK}); try again when it has finished`,
    };
  }
  const waitUntil = performance.now() + 10 * 60_000;
  for (let others; (others = await otherScratchConnections(config)) > 0;) {
    if (performance.now() > waitUntil) {
      await lock.release();
      return {
        refused: `${others} other connections still use ${config.mariadb.database} after 10 minutes; giving up`,
      };
    }
    say(`${others} other connections use ${config.mariadb.database} (a test run?): waiting`);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  return lock;
}

/** Server versions, for the record of the run. */
export async function storeVersions(config: Config): Promise<{ mariadb: string; neo4j: string }> {
  const pool = createMariadbPool(config.mariadb);
  const driver = createNeo4jDriver(config.neo4j);
  try {
    const [rows] = await pool.query("SELECT VERSION() AS v");
    const info = await driver.getServerInfo();
    return { mariadb: String((rows as { v: string }[])[0]!.v), neo4j: String(info.agent) };
  } finally {
    await pool.end();
    await driver.close();
  }
}

/**
 * A graph this small is emptied online (a Cypher replay of the empty log) faster than by import.
 * Larger ones go by import: the replay's wipe fails on the test server's heap ("memory pool limit
 * exceeded") at about 10^5 nodes, where a Symbol node's relationships go in one transaction.
 */
const REPLAY_RESET_UP_TO_NODES = 20_000;

/** Empties the scratch log and graph: the log's tables go, and every node with them. */
export async function resetStores(config: Config): Promise<RebuildReport> {
  const pool = createMariadbPool(config.mariadb);
  try {
    await dropEventLog(pool);
  } finally {
    await pool.end();
  }
  const driver = createNeo4jDriver(config.neo4j);
  let nodes = Infinity;
  try {
    const result = await driver.executeQuery("MATCH (n) RETURN count(n) AS n");
    nodes = Number(result.records[0]?.get("n") ?? Infinity);
  } catch {
    // Not answering: the import path starts the server anyway.
  } finally {
    await driver.close();
  }
  // The graph of the new, empty log. Deleting millions of nodes through Cypher takes minutes,
  // replacing the store by bulk import takes seconds plus a restart of the server.
  // A server the scripts do not manage can only be replayed, whatever its size.
  const importable = isManagedServer(config.neo4j.uri, config.neo4j.server);
  return rebuildScratchGraph(
    nodes <= REPLAY_RESET_UP_TO_NODES || !importable ? { replay: true } : {},
  );
}

/** What `rebuild-cli --json` prints. */
export interface RebuildReport {
  events: number;
  seconds: number;
  events_per_s: number;
  mode: "import" | "replay";
  phases: Record<string, number>;
}

export const describeRebuild = (r: RebuildReport) =>
  `rebuilt the graph (${r.mode}) from ${r.events} events in ${r.seconds.toFixed(1)} s ` +
  `(${r.events_per_s} events/s; ${Object.entries(r.phases)
    .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`)
    .join(", ")})`;

/**
 * `npm run graph:rebuild -- --json` over the scratch stores: by default the bulk import into the
 * test server (stops and starts it), or a replay; resolves with its JSON report.
 */
export async function rebuildScratchGraph(
  options: { replay?: boolean; onStderr?: (text: string) => void } = {},
): Promise<RebuildReport> {
  const script = path.join(PROJECT_ROOT, "dist", "ops", "rebuild-cli.js");
  const env = { ...process.env, ...scratchStoreEnv(), DATA_INTERFACE: "graph" };
  const args = ["--json", ...(options.replay ? ["--replay"] : [])];
  return runJson<RebuildReport>(script, env, args, options.onStderr);
}

/**
 * Polls the graph's positions in the log until they cover every writer's head as it stood when
 * called: how a catch-up that happens inside a server process (which says nothing meanwhile,
 * and may listen before it is done) is timed. Calls `report` about every `reportEveryMs` with
 * how many events the graph still lacks.
 */
export async function waitUntilGraphCurrent(
  config: Config,
  options: { timeoutMs: number; reportEveryMs: number; report: (behind: number) => void },
): Promise<void> {
  const pool = createMariadbPool(config.mariadb);
  let need: Map<number, number>;
  let logId: string;
  try {
    const reader = new LogReader(pool);
    need = await reader.heads();
    logId = await reader.logId();
  } finally {
    await pool.end();
  }
  const driver = createNeo4jDriver(config.neo4j);
  const deadline = performance.now() + options.timeoutMs;
  let reported = performance.now();
  let otherLogSince: number | null = null;
  try {
    for (;;) {
      let behind = Infinity;
      let graphLog: unknown = undefined;
      try {
        const result = await driver.executeQuery(CYPHER.projectionPosition);
        const positions = (result.records[0]?.get("positions") ?? []) as [unknown, unknown][];
        graphLog = result.records[0]?.get("logId");
        const have = new Map(positions.map(([writer, seq]) => [Number(writer), Number(seq)]));
        behind = eventsBehind(have, need);
      } catch {
        // Not there yet (the server creates the position nodes): ask again.
      }
      if (behind === 0) return;
      // A graph of another log never catches up: something else rebuilt the scratch graph.
      otherLogSince = graphLog && graphLog !== logId ? (otherLogSince ?? performance.now()) : null;
      if (otherLogSince !== null && performance.now() - otherLogSince > 10_000) {
        throw new Error(
          `the scratch graph (${config.neo4j.uri}) was built from another log (${String(graphLog)}; ` +
            `the scratch log ${config.mariadb.database} is ${logId}): something else used it meanwhile`,
        );
      }
      if (performance.now() > deadline) {
        throw new Error(`the graph still lacks ${behind} events after ${options.timeoutMs} ms`);
      }
      if (performance.now() - reported >= options.reportEveryMs) {
        reported = performance.now();
        options.report(behind);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await driver.close();
  }
}
