import type { Readiness } from "./data-interface.js";
import { nowMicros, type Micros } from "../model/timestamp.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import type { ProjectionStatus } from "../projection/projector.js";
import { eventsBehind, positionPairs, type LogPositions } from "../log/log-positions.js";
import type { LogReader } from "../log/log-reader.js";

/** Each probe gets this long; a store that takes longer counts as unreachable. */
const PROBE_TIMEOUT_MS = 3000;
/**
 * A graph this close to the log is current: a dashboard read waits up to 5 s for the graph
 * (backend/graph-backend.ts), so a graph whose oldest missing event is younger answers in time.
 */
export const CURRENT_LAG_SECONDS = 5;

export interface Neo4jReadiness {
  server: string;
  reachable: boolean;
  /** Whether this process applies the log to it (one process per server does). */
  projector: boolean;
  current: boolean;
  /** How far the graph has applied each writer's sequence: [writer, seq] pairs. */
  positions: [number, number][] | null;
  lagEvents: number | null;
  lagSeconds: number | null;
  error?: string;
}

export interface GraphReadiness extends Readiness {
  mariadb: {
    server: string;
    reachable: boolean;
    /** Events in the log (the sum of the writers' heads). */
    events: number | null;
    heads: [number, number][] | null;
    error?: string;
  };
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

/** The age in seconds of the oldest event in `heads` that `positions` lacks (0 if none). */
async function oldestMissingAge(
  log: LogReader,
  positions: LogPositions,
  heads: LogPositions,
  now: Micros,
): Promise<number> {
  let oldest: Micros | null = null;
  for (const [writer, head] of heads) {
    const at = positions.get(writer) ?? 0;
    if (head <= at) continue;
    const first = await log.firstEventAfter(writer, at);
    if (first !== null && (oldest === null || first < oldest)) oldest = first;
  }
  return oldest === null ? 0 : Math.max(0, (now - oldest) / 1e6);
}

/**
 * GET /readyz for the graph backend: MariaDB answers, and how far each Neo4j server's graph is
 * behind the log, in events and in seconds (the age of its oldest missing event). Ready when
 * MariaDB answers and at least one graph is current; `missing` names every store that is not.
 */
export async function graphReadiness(
  log: LogReader,
  servers: readonly {
    uri: string;
    status: ProjectionStatus;
    probePositions(): Promise<LogPositions>;
  }[],
  options: { mariadbName: string; telemetry: Telemetry; now?: () => Micros },
): Promise<GraphReadiness> {
  const now = (options.now ?? nowMicros)();
  const missing: string[] = [];
  const mariadb: GraphReadiness["mariadb"] = {
    server: options.mariadbName,
    reachable: false,
    events: null,
    heads: null,
  };
  let heads: LogPositions | null = null;
  try {
    heads = await within(log.heads(), "MariaDB");
    mariadb.reachable = true;
    mariadb.heads = positionPairs(heads);
    mariadb.events = eventsBehind(new Map(), heads);
  } catch (error) {
    mariadb.error = firstLine(error);
    missing.push(`MariaDB ${options.mariadbName}: unreachable (${mariadb.error})`);
  }

  const neo4j = await Promise.all(
    servers.map(async (server): Promise<Neo4jReadiness> => {
      const { uri, status } = server;
      const state: Neo4jReadiness = {
        server: uri,
        reachable: status.reachable,
        projector: status.projector,
        current: false,
        positions: null,
        lagEvents: null,
        lagSeconds: null,
      };
      try {
        if (!status.reachable) throw new Error(status.problem ?? "not connected");
        const positions = await within(server.probePositions(), "Neo4j");
        state.positions = positionPairs(positions);
        if (heads) {
          state.lagEvents = eventsBehind(positions, heads);
          state.lagSeconds = await within(oldestMissingAge(log, positions, heads, now), "MariaDB");
          state.current = state.lagSeconds <= CURRENT_LAG_SECONDS;
          if (!state.current) {
            state.error =
              `${state.lagEvents} events (${state.lagSeconds.toFixed(1)} s) behind the log; ` +
              `current means at most ${CURRENT_LAG_SECONDS} s`;
          }
        }
      } catch (error) {
        state.reachable = false;
        state.error = `unreachable (${firstLine(error)})`;
      }
      if (!state.current && mariadb.reachable) missing.push(`Neo4j ${uri}: ${state.error}`);
      return state;
    }),
  );

  const best = neo4j
    .filter((state) => state.lagEvents !== null)
    .sort((a, b) => a.lagEvents! - b.lagEvents!)[0];
  const projection = { lagEvents: best?.lagEvents ?? null, lagSeconds: best?.lagSeconds ?? null };
  if (projection.lagEvents !== null && projection.lagSeconds !== null) {
    options.telemetry.projectionLag(projection.lagEvents, projection.lagSeconds);
  }
  const ready = mariadb.reachable && neo4j.some((state) => state.current);
  return { ready, missing, mariadb, projection, neo4j };
}
