import type { Driver } from "neo4j-driver";
import type { Pool } from "mysql2/promise";
import type { Config } from "../config.js";
import type { DataInterface, WriteOptions } from "./data-interface.js";
import { StoreUnavailableError } from "./data-errors.js";
import type { SeriesGrain } from "../model/series.js";
import { nowMicros, type Micros } from "../model/timestamp.js";
import { EventLog } from "../log/event-log.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";
import { GraphDashboard } from "../reads/graph-dashboard.js";
import { GraphProjection } from "../projection/projector.js";
import { graphReadiness } from "./graph-readiness.js";
import { Leases } from "../log/leases.js";
import { LogReader } from "../log/log-reader.js";
import { createMariadbPool, migrate } from "../stores/mariadb.js";
import { createNeo4jDriver } from "../stores/neo4j.js";
import type { ProjectionPeers } from "../projection/projection-peers.js";
import { WriteBackpressure } from "../log/write-backpressure.js";

/** How long a dashboard read waits for a graph to hold the log's committed events; then 503. */
const CATCH_UP_WAIT_MS = 5000;

/** One Neo4j server: its driver, the projection that keeps it, the queries that read it. */
export interface GraphServer {
  uri: string;
  driver: Driver;
  projection: GraphProjection;
  dashboard: GraphDashboard;
}

/**
 * The product backend: every event is committed to the MariaDB log first (the system of
 * record), then projected into each Neo4j server's graph, which answers the dashboards.
 */
export class GraphBackend implements DataInterface {
  readonly reader: LogReader;
  readonly leases: Leases;
  log!: EventLog;
  servers: GraphServer[] = [];

  constructor(
    readonly pool: Pool,
    private readonly drivers: { uri: string; driver: Driver }[],
    private readonly clock: () => Micros = nowMicros,
    /**
     * Telemetry for the log and the projection to report to; the stores' names for /readyz;
     * the other processes of a `WORKERS` service, which the projections keep informed.
     */
    readonly options: { telemetry?: Telemetry; mariadbName?: string; peers?: ProjectionPeers } = {},
  ) {
    this.reader = new LogReader(pool);
    this.leases = new Leases(pool);
  }

  /** Migrates the log, leases a writer id, and starts a projection per Neo4j server. */
  async open(): Promise<this> {
    await migrate(this.pool);
    const logId = await this.reader.logId();
    this.servers = this.drivers.map(({ uri, driver }) => ({
      uri,
      driver,
      projection: new GraphProjection(uri, driver, this.reader, this.leases, logId, {
        telemetry: this.telemetry,
        peers: this.options.peers,
      }),
      dashboard: new GraphDashboard(driver),
    }));
    const backpressure = new WriteBackpressure(
      () => this.servers.map((server) => server.projection),
      () => this.log.writer,
    );
    this.log = new EventLog(
      this.pool,
      this.leases,
      (events) => {
        for (const server of this.servers) server.projection.committed(events.length);
        const last = events.at(-1);
        if (last) backpressure.committed(last.seq);
      },
      undefined,
      this.telemetry,
      async () => this.telemetry.writesHeld((await backpressure.admit()) / 1000),
    );
    await this.log.open();
    await Promise.all(this.servers.map((server) => server.projection.start()));
    return this;
  }

  logInitial(uuid: string, symbol: string, guess: boolean, options?: WriteOptions) {
    return this.log
      .appendInitial(uuid, symbol, guess, this.clock(), options)
      .then(({ guess }) => ({ guess: guess! }));
  }

  async logFollowup(uuid: string, options?: WriteOptions) {
    await this.log.appendFollowup(uuid, this.clock(), options);
  }

  symbolAggregates(symbol: string) {
    return this.read((dashboard) => dashboard.symbolAggregates(symbol));
  }

  rangeAggregates(lower: Micros, upper: Micros) {
    return this.read((dashboard) => dashboard.rangeAggregates(lower, upper));
  }

  /** How many committed events each server's graph lacks (null: that server cannot be asked). */
  async graphLag(): Promise<{ server: string; behind: number | null }[]> {
    const heads = await this.reader.heads();
    return Promise.all(
      this.servers.map(async ({ uri, projection }) => ({
        server: uri,
        behind: await projection.lag(heads),
      })),
    );
  }

  seriesAggregates(lower: Micros, upper: Micros, grain: SeriesGrain, symbol?: string) {
    return this.read((dashboard) => dashboard.seriesAggregates(lower, upper, grain, symbol));
  }

  get telemetry(): Telemetry {
    return this.options.telemetry ?? NO_TELEMETRY;
  }

  readiness() {
    return graphReadiness(this.reader, this.servers, {
      mariadbName: this.options.mariadbName ?? "mariadb",
      telemetry: this.telemetry,
    });
  }

  async close() {
    await this.log?.close();
    await Promise.all(this.servers.map((server) => server.projection.close()));
    await Promise.all([this.pool.end(), ...this.drivers.map(({ driver }) => driver.close())]);
  }

  /**
   * Answers from a server whose graph holds everything the log had committed when the read
   * arrived (read-your-writes on every process): this process's own projector first, where it
   * knows its position without asking; a server that is down is passed over for the next.
   */
  private async read<T>(query: (dashboard: GraphDashboard) => Promise<T>): Promise<T> {
    const need = await this.reader.heads();
    const deadline = Date.now() + CATCH_UP_WAIT_MS;
    const ordered = [...this.servers].sort(
      (a, b) => Number(b.projection.isProjector) - Number(a.projection.isProjector),
    );
    let failure: unknown;
    for (const server of ordered) {
      try {
        await server.projection.waitFor(need, deadline);
        return await query(server.dashboard);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        failure ??= error;
      }
    }
    throw failure;
  }
}

/** Connects to the stores with the configured credentials; the caller closes it. */
export async function openGraphBackend(
  config: Config,
  clock?: () => Micros,
  telemetry: Telemetry = NO_TELEMETRY,
  peers?: ProjectionPeers,
) {
  const { host, port, database } = config.mariadb;
  const backend = new GraphBackend(
    createMariadbPool(config.mariadb),
    config.neo4j.uris.map((uri) => ({ uri, driver: createNeo4jDriver(config.neo4j, uri) })),
    clock,
    { telemetry, mariadbName: `${host}:${port}/${database}`, peers },
  );
  try {
    return await backend.open();
  } catch (error) {
    await backend.close().catch(() => {});
    throw error;
  }
}
