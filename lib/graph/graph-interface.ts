import type { Driver } from "neo4j-driver";
import type { Pool } from "mysql2/promise";
import type { Config } from "../config.js";
import type { DataInterface } from "../data/data-interface.js";
import type { SeriesGrain } from "../model/series.js";
import { nowMicros, type Micros } from "../model/timestamp.js";
import { EventLog } from "./event-log.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";
import { GraphDashboard } from "./graph-dashboard.js";
import { GraphProjection } from "./graph-projection.js";
import { graphReadiness } from "./graph-readiness.js";
import { createMariadbPool, migrate } from "./mariadb.js";
import { createNeo4jDriver } from "./neo4j.js";

/**
 * The product backend: every event is committed to the MariaDB log first (the system of
 * record), then projected into the Neo4j graph, which answers the dashboards.
 */
export class GraphInterface implements DataInterface {
  readonly log: EventLog;
  readonly projection: GraphProjection;
  private readonly dashboard: GraphDashboard;

  constructor(
    readonly pool: Pool,
    readonly driver: Driver,
    private readonly clock: () => Micros = nowMicros,
    /** Telemetry for the log and the projection to report to; the stores' names for /readyz. */
    readonly options: { telemetry?: Telemetry; mariadbName?: string; neo4jName?: string } = {},
  ) {
    this.log = new EventLog(pool, (batch) => this.projection.enqueue(batch));
    this.projection = new GraphProjection(driver, this.log);
    this.dashboard = new GraphDashboard(driver);
  }

  /** Migrates the log, then brings the graph up to date (or leaves that to retries if Neo4j is down). */
  async open(): Promise<this> {
    await migrate(this.pool);
    await this.log.open();
    await this.projection.start();
    return this;
  }

  logInitial(uuid: string, symbol: string, guess: boolean) {
    return this.log.appendInitial(uuid, symbol, guess, this.clock());
  }

  logFollowup(uuid: string) {
    return this.log.appendFollowup(uuid, this.clock());
  }

  async symbolAggregates(symbol: string) {
    await this.projection.waitUntilCurrent(this.log.committedPosition);
    return this.dashboard.symbolAggregates(symbol);
  }

  async rangeAggregates(lower: Micros, upper: Micros) {
    await this.projection.waitUntilCurrent(this.log.committedPosition);
    return this.dashboard.rangeAggregates(lower, upper);
  }

  async seriesAggregates(lower: Micros, upper: Micros, grain: SeriesGrain, symbol?: string) {
    await this.projection.waitUntilCurrent(this.log.committedPosition);
    return this.dashboard.seriesAggregates(lower, upper, grain, symbol);
  }

  get telemetry(): Telemetry {
    return this.options.telemetry ?? NO_TELEMETRY;
  }

  readiness() {
    return graphReadiness(
      this.pool,
      [{ name: this.options.neo4jName ?? "neo4j", driver: this.driver }],
      {
        mariadbName: this.options.mariadbName ?? "mariadb",
        logId: this.log.logId,
        telemetry: this.telemetry,
      },
    );
  }

  async close() {
    await this.log.drain();
    await this.projection.close();
    await Promise.all([this.pool.end(), this.driver.close()]);
  }
}

/** Connects to both stores with the configured credentials; the caller closes it. */
export async function openGraphInterface(
  config: Config,
  clock?: () => Micros,
  telemetry: Telemetry = NO_TELEMETRY,
) {
  const { host, port, database } = config.mariadb;
  const backend = new GraphInterface(
    createMariadbPool(config.mariadb),
    createNeo4jDriver(config.neo4j),
    clock,
    { telemetry, mariadbName: `${host}:${port}/${database}`, neo4jName: config.neo4j.uri },
  );
  try {
    return await backend.open();
  } catch (error) {
    await backend.close().catch(() => {});
    throw error;
  }
}
