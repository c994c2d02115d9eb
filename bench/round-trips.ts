import type { Config } from "../lib/config.js";
import { percentile } from "../lib/client/load-client.js";
import { createMariadbPool } from "../lib/stores/mariadb.js";
import { createNeo4jDriver } from "../lib/stores/neo4j.js";

/**
 * The floor under every dashboard read: one trivial query's round trip to each store, from
 * the bench's process, one after another (Neo4j `RETURN 1` in an auto-commit transaction,
 * MariaDB `SELECT 1`). A graph dashboard can be no faster than HTTP plus this.
 */
export interface RoundTrips {
  events: number;
  neo4j_p50_ms: number;
  neo4j_p99_ms: number;
  mariadb_p50_ms: number;
  mariadb_p99_ms: number;
}

const WARMUP = 50;
const SAMPLES = 300;

async function timed(query: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < WARMUP; i++) await query();
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await query();
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function measureRoundTrips(config: Config, events: number): Promise<RoundTrips> {
  const driver = createNeo4jDriver(config.neo4j);
  const pool = createMariadbPool(config.mariadb);
  try {
    const session = driver.session();
    let neo4j;
    try {
      neo4j = await timed(() => session.run("RETURN 1"));
    } finally {
      await session.close();
    }
    const mariadb = await timed(() => pool.query("SELECT 1"));
    return {
      events,
      neo4j_p50_ms: neo4j.p50,
      neo4j_p99_ms: neo4j.p99,
      mariadb_p50_ms: mariadb.p50,
      mariadb_p99_ms: mariadb.p99,
    };
  } finally {
    await driver.close();
    await pool.end();
  }
}
