import neo4j, { type Driver } from "neo4j-driver";
import type { Pool, RowDataPacket } from "mysql2/promise";
import type { Readiness } from "../data/data-interface.js";
import { nowMicros, type Micros } from "../model/timestamp.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import { QUERY_TIMEOUT_MS } from "./mariadb.js";
import { CYPHER, SQL } from "./statements.js";

/** Each probe gets this long; a store that takes longer counts as unreachable. */
const PROBE_TIMEOUT_MS = 3000;
/**
 * A graph this close to the log is current: a dashboard read waits up to 5 s for the graph
 * (graph-projection.ts), so a graph whose oldest missing event is younger answers in time.
 */
export const CURRENT_LAG_SECONDS = 5;

export interface Neo4jServer {
  /** How the operator knows it: its URI. */
  name: string;
  driver: Driver;
}

export interface Neo4jReadiness {
  server: string;
  reachable: boolean;
  current: boolean;
  /** The last event of the log that the graph holds. */
  position: number | null;
  lagEvents: number | null;
  lagSeconds: number | null;
  error?: string;
}

export interface GraphReadiness extends Readiness {
  mariadb: { server: string; reachable: boolean; lastEventId: number | null; error?: string };
  /** The most current graph's lag (what a dashboard read sees). */
  projection: { lagEvents: number | null; lagSeconds: number | null };
  neo4j: Neo4jReadiness[];
}

class ProbeTimeout extends Error {}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ProbeTimeout(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The gist of a failure: its first line, or what the driver says it was caused by. */
function firstLine(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
  return /Caused by: (.*)$/.exec(text)?.[1] ?? text;
}

async function queryNumber(pool: Pool, sql: string, values: unknown[], column: string) {
  const [rows] = await pool.query<RowDataPacket[]>({ sql, timeout: QUERY_TIMEOUT_MS }, values);
  const value = rows[0]?.[column] as number | string | undefined;
  return value === undefined ? null : Number(value);
}

async function graphPosition(server: Neo4jServer): Promise<{ position: number; logId: string }> {
  const session = server.driver.session({ defaultAccessMode: neo4j.session.READ });
  try {
    const result = await session.run(CYPHER.projectionPosition);
    const record = result.records[0];
    if (!record) throw new Error("the graph has no projection position yet");
    return {
      position: Number(record.get("lastEventId")),
      logId: String(record.get("logId")),
    };
  } finally {
    await session.close();
  }
}

/**
 * GET /readyz for the graph backend: MariaDB answers, and how far each Neo4j server's graph is
 * behind the log, in events and in seconds (the age of its oldest missing event). Ready when
 * MariaDB answers and at least one graph is current; `missing` names every store that is not.
 */
export async function graphReadiness(
  pool: Pool,
  servers: readonly Neo4jServer[],
  options: { mariadbName: string; logId: string; telemetry: Telemetry; now?: () => Micros },
): Promise<GraphReadiness> {
  const now = options.now ?? nowMicros;
  const missing: string[] = [];
  const mariadb: GraphReadiness["mariadb"] = {
    server: options.mariadbName,
    reachable: false,
    lastEventId: null,
  };
  const [logEnd, ...graphs] = await Promise.allSettled([
    within(queryNumber(pool, SQL.lastEventId, [], "id"), "MariaDB"),
    ...servers.map((server) => within(graphPosition(server), "Neo4j")),
  ]);
  if (logEnd!.status === "fulfilled") {
    mariadb.reachable = true;
    mariadb.lastEventId = logEnd!.value;
  } else {
    mariadb.error = firstLine(logEnd!.reason);
    missing.push(`MariaDB ${options.mariadbName}: unreachable (${mariadb.error})`);
  }

  const neo4jStates = await Promise.all(
    servers.map(async (server, i): Promise<Neo4jReadiness> => {
      const graph = graphs[i]!;
      const state: Neo4jReadiness = {
        server: server.name,
        reachable: graph.status === "fulfilled",
        current: false,
        position: null,
        lagEvents: null,
        lagSeconds: null,
      };
      if (graph.status === "rejected") {
        state.error = firstLine(graph.reason);
        missing.push(`Neo4j ${server.name}: unreachable (${state.error})`);
        return state;
      }
      state.position = graph.value.position;
      if (graph.value.position < 0) {
        state.error = "the graph is being rebuilt from the log";
      } else if (graph.value.logId !== options.logId) {
        state.error = `the graph follows another log (${graph.value.logId})`;
      } else if (mariadb.lastEventId !== null) {
        state.lagEvents = Math.max(0, mariadb.lastEventId - graph.value.position);
        state.lagSeconds = 0;
        if (state.lagEvents > 0) {
          try {
            const oldest = await within(
              queryNumber(pool, SQL.firstEventAfter, [graph.value.position], "at_us"),
              "MariaDB",
            );
            state.lagSeconds = oldest === null ? 0 : Math.max(0, (now() - oldest) / 1e6);
          } catch (error) {
            state.lagSeconds = null;
            state.error = firstLine(error);
          }
        }
        state.current = state.lagSeconds !== null && state.lagSeconds <= CURRENT_LAG_SECONDS;
        if (!state.current && !state.error) {
          state.error =
            `${state.lagEvents} events (${state.lagSeconds!.toFixed(1)} s) behind the log; ` +
            `current means at most ${CURRENT_LAG_SECONDS} s`;
        }
      }
      if (!state.current && mariadb.reachable) missing.push(`Neo4j ${server.name}: ${state.error}`);
      return state;
    }),
  );

  const best = neo4jStates
    .filter((state) => state.lagEvents !== null)
    .sort((a, b) => a.lagEvents! - b.lagEvents!)[0];
  const projection = { lagEvents: best?.lagEvents ?? null, lagSeconds: best?.lagSeconds ?? null };
  if (projection.lagEvents !== null && projection.lagSeconds !== null) {
    options.telemetry.projectionLag(projection.lagEvents, projection.lagSeconds);
  }
  const ready = mariadb.reachable && neo4jStates.some((state) => state.current);
  return { ready, missing, mariadb, projection, neo4j: neo4jStates };
}
