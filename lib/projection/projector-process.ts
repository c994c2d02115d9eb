import type { Config } from "../config.js";
import { Leases } from "../log/leases.js";
import { LogReader } from "../log/log-reader.js";
import { createMariadbPool, migrate } from "../stores/mariadb.js";
import { createNeo4jDriver } from "../stores/neo4j.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";
import { AppliedPositions } from "./applied-positions.js";
import { NO_PEERS, projectorNews, type ProjectionPeers } from "./projection-peers.js";
import { Projector } from "./projector.js";

/** The projector repeats its positions this often when nothing moves (news stays fresh). */
const TELL_EVERY_MS = 250;
/** A reader's nudge counts as "readers wait" this long: the projector then does not linger. */
const WAITING_MS = 20;

export interface ProjectorProcessOptions {
  /** The API processes of this service, which hear the projectors' news and nudge them. */
  peers?: ProjectionPeers;
  telemetry?: Telemetry;
}

export interface RunningProjectors {
  /** Stops every projector (giving up its lease) and closes the connections. */
  stop(): Promise<void>;
}

/**
 * PROJECTOR=process: the projectors of every Neo4j server in a process of their own, beside
 * the API processes and serving no HTTP, so that applying the log never holds up a request's
 * event loop. It runs what an API process would (projector.ts, elected by the same lease, so a
 * second service on the same log still has one projector per graph), tells the API processes
 * where each graph is, and hears their commits and their waiting readers.
 */
export async function runProjectors(
  config: Config,
  { peers = NO_PEERS, telemetry = NO_TELEMETRY }: ProjectorProcessOptions = {},
): Promise<RunningProjectors> {
  const pool = createMariadbPool(config.mariadb);
  const drivers = config.neo4j.uris.map((uri) => ({
    uri,
    driver: createNeo4jDriver(config.neo4j, uri),
  }));
  const close = async () => {
    await Promise.all([pool.end(), ...drivers.map(({ driver }) => driver.close())]);
  };
  let projectors: Projector[];
  let unsubscribe = () => {};
  try {
    await migrate(pool);
    const log = new LogReader(pool);
    const leases = new Leases(pool);
    const logId = await log.logId();
    const waitingAt = new Map<string, number>();
    projectors = drivers.map(
      ({ uri, driver }) =>
        new Projector({
          server: uri,
          driver,
          log,
          leases,
          logId,
          positions: new AppliedPositions(),
          telemetry,
          tellEveryMs: TELL_EVERY_MS,
          news: projectorNews(peers, uri),
          readersWaiting: () => Date.now() - (waitingAt.get(uri) ?? 0) < WAITING_MS,
        }),
    );
    const byServer = new Map(drivers.map(({ uri }, i) => [uri, projectors[i]!]));
    unsubscribe = peers.subscribe((message) => {
      const projector = byServer.get(message.server);
      if (!projector?.isProjecting) return;
      if (message.kind === "committed") projector.eventsCommitted(message.events);
      if (message.kind === "waiting") {
        waitingAt.set(message.server, Date.now());
        projector.readerWaiting();
      }
    });
    await Promise.all(projectors.map((projector) => projector.start()));
  } catch (error) {
    unsubscribe();
    await close().catch(() => {});
    throw error;
  }
  return {
    async stop() {
      unsubscribe();
      await Promise.all(projectors.map((projector) => projector.close()));
      await close();
    },
  };
}
