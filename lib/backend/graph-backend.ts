import type { Driver } from "neo4j-driver";
import type { Pool } from "mysql2/promise";
import type { Config } from "../config.js";
import type { DataInterface, WriteOptions } from "./data-interface.js";
import type { SeriesGrain } from "../model/series.js";
import { nowMicros, type Micros } from "../model/timestamp.js";
import { EventLog } from "../log/event-log.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";
import type { GraphDashboard } from "../reads/graph-dashboard.js";
import { GraphServer } from "./graph-server.js";
import { FreshReads } from "../reads/fresh-read.js";
import { graphReadiness } from "./graph-readiness.js";
import { Leases } from "../log/leases.js";
import { LogReader } from "../log/log-reader.js";
import { createMariadbPool, migrate } from "../stores/mariadb.js";
import { createNeo4jDriver } from "../stores/neo4j.js";
import type { ProjectionPeers } from "../projection/projection-peers.js";
import { WriteBackpressure } from "../log/write-backpressure.js";

export interface GraphBackendOptions {
  pool: Pool;
  /** One driver per Neo4j server, each holding a full projection of the log. */
  drivers: { uri: string; driver: Driver }[];
  /** Server time of each event (tests set it). */
  clock?: () => Micros;
  /** Where the log and the projections report (metrics). */
  telemetry?: Telemetry;
  /** The MariaDB server's name for /readyz. */
  mariadbName?: string;
  /** The other processes of a `WORKERS` service, which the projections keep informed. */
  peers?: ProjectionPeers;
  /**
   * Whether this process runs the projectors (one process of the service applies, elected by
   * lease), or a process of its own does (PROJECTOR=process) and tells this one. Default true.
   */
  projectHere?: boolean;
}

/** How long a dashboard read waits for a graph to hold the log's committed events; then 503. */
const CATCH_UP_WAIT_MS = 5000;

/**
 * The product backend: every event is committed to the MariaDB log first (the system of
 * record, log/), then projected into each Neo4j server's graph (projection/), which answers
 * the dashboards (reads/) once it holds every event committed before the read.
 */
export class GraphBackend implements DataInterface {
  readonly reader: LogReader;
  readonly leases: Leases;
  log!: EventLog;
  servers: GraphServer[] = [];
  private readonly clock: () => Micros;
  private readonly reads: FreshReads<GraphDashboard>;

  /** The log's MariaDB pool (tools and tests query the log through it). */
  readonly pool: Pool;

  constructor(private readonly options: GraphBackendOptions) {
    this.pool = options.pool;
    this.reader = new LogReader(options.pool);
    this.leases = new Leases(options.pool);
    this.clock = options.clock ?? nowMicros;
    this.reads = new FreshReads({
      graphs: () => this.servers,
      heads: () => this.reader.heads(),
      waitMs: CATCH_UP_WAIT_MS,
    });
  }

  /** Migrates the log, leases a writer id, and starts a projection per Neo4j server. */
  async open(): Promise<this> {
    const { pool, drivers, peers, projectHere = true } = this.options;
    await migrate(pool);
    const logId = await this.reader.logId();
    const telemetry = this.telemetry;
    this.servers = drivers.map(
      ({ uri, driver }) =>
        new GraphServer({
          uri,
          driver,
          log: this.reader,
          leases: this.leases,
          logId,
          peers,
          telemetry,
          project: projectHere,
        }),
    );
    const backpressure = new WriteBackpressure({
      graphs: () => this.servers.map((server) => server.progress),
      writer: () => this.log.writer,
    });
    this.log = new EventLog({
      pool,
      leases: this.leases,
      telemetry,
      onCommit: (events) => {
        for (const server of this.servers) server.committed(events.length);
        const last = events.at(-1);
        if (last) {
          backpressure.committed(last.seq);
          this.reads.committed(last.writer, last.seq);
        }
      },
      admit: async () => telemetry.writesHeld((await backpressure.admit()) / 1000),
    });
    await this.log.open();
    await Promise.all(this.servers.map((server) => server.start()));
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
      this.servers.map(async (server) => ({ server: server.uri, behind: await server.lag(heads) })),
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
    await Promise.all(this.servers.map((server) => server.close()));
    await Promise.all([
      this.options.pool.end(),
      ...this.options.drivers.map(({ driver }) => driver.close()),
    ]);
  }

  private read<T>(query: (dashboard: GraphDashboard) => Promise<T>): Promise<T> {
    return this.reads.read(query);
  }
}

/** Connects to the stores with the configured credentials; the caller closes it. */
export async function openGraphBackend(
  config: Config,
  options: Pick<GraphBackendOptions, "clock" | "telemetry" | "peers" | "projectHere"> = {},
) {
  const { host, port, database } = config.mariadb;
  const backend = new GraphBackend({
    ...options,
    pool: createMariadbPool(config.mariadb),
    drivers: config.neo4j.uris.map((uri) => ({
      uri,
      driver: createNeo4jDriver(config.neo4j, uri),
    })),
    mariadbName: `${host}:${port}/${database}`,
  });
  try {
    return await backend.open();
  } catch (error) {
    await backend.close().catch(() => {});
    throw error;
  }
}
