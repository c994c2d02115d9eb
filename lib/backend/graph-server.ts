import type { Driver } from "neo4j-driver";
import type { Leases } from "../log/leases.js";
import { eventsBehind, positionPairs, type LogPositions } from "../log/log-positions.js";
import type { LogReader } from "../log/log-reader.js";
import { AppliedPositions } from "../projection/applied-positions.js";
import { readGraphState } from "../projection/graph-state.js";
import {
  NO_PEERS,
  type PeerMessage,
  type ProjectionPeers,
} from "../projection/projection-peers.js";
import { Projector, type ProjectionStatus } from "../projection/projector.js";
import { GraphWriterProgress, PROGRESS_READ } from "../projection/writer-progress.js";
import { GraphDashboard } from "../reads/graph-dashboard.js";
import type { ReadableGraph } from "../reads/fresh-read.js";
import { ReadGate } from "../reads/read-gate.js";
import { boundedRead } from "../stores/neo4j.js";
import { CYPHER } from "../stores/statements.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";

/**
 * A projector's news is trusted this long by the other processes. It repeats it at a quarter
 * of that when nothing moves, so it stays fresh while the projector lives; a projector gone
 * quiet (dead, or its graph replaced) leaves the others asking the graph again.
 */
const NEWS_MS = 1000;
/** A standby tells the projector that readers wait at most this often. */
const WAITING_NUDGE_MS = 5;

export interface GraphServerOptions {
  uri: string;
  driver: Driver;
  log: LogReader;
  leases: Leases;
  logId: string;
  /** The other processes of a `WORKERS` service, kept informed of the projection. */
  peers?: ProjectionPeers;
  telemetry?: Telemetry;
}

/**
 * One Neo4j server as this process uses it: the projector that keeps its graph equal to the
 * log (projection/), the gate that makes reads wait for their writes (reads/read-gate.ts), the
 * dashboard queries, and the news this process exchanges with the others about it.
 */
export class GraphServer implements ReadableGraph<GraphDashboard> {
  readonly uri: string;
  readonly driver: Driver;
  readonly positions = new AppliedPositions({ newsMs: NEWS_MS });
  readonly projector: Projector;
  readonly gate: ReadGate;
  readonly progress: GraphWriterProgress;
  readonly dashboard: GraphDashboard;
  private readonly peers: ProjectionPeers;
  private readonly unsubscribe: () => void;
  private nudgedAt = 0;

  constructor(options: GraphServerOptions) {
    const { uri, driver, telemetry = NO_TELEMETRY } = options;
    this.uri = uri;
    this.driver = driver;
    this.peers = options.peers ?? NO_PEERS;
    this.dashboard = new GraphDashboard(driver);
    this.projector = new Projector({
      server: uri,
      driver,
      log: options.log,
      leases: options.leases,
      logId: options.logId,
      positions: this.positions,
      telemetry,
      tellEveryMs: NEWS_MS / 4,
      tell: (graphId, positions) =>
        this.peers.publish({
          server: uri,
          kind: "applied",
          graphId,
          positions: positionPairs(positions),
        }),
      readersWaiting: () => this.gate.readersWaiting > 0,
    });
    this.gate = new ReadGate({
      server: uri,
      positions: this.positions,
      unreachable: () => this.projector.unreachable,
      askGraph: () => this.probePositions(),
      hurry: () => this.hurry(),
      telemetry,
    });
    this.progress = new GraphWriterProgress({
      positions: this.positions,
      reachable: () => this.projector.unreachable === null,
      askGraph: async (writer) => {
        const [record] = await boundedRead(
          driver,
          CYPHER.writerPosition,
          { writer },
          PROGRESS_READ,
        );
        return Number(record?.get("seq") ?? 0);
      },
    });
    this.unsubscribe = this.peers.subscribe((message) => this.heard(message));
  }

  /** Starts the projector; resolves after its first attempt to reach the graph. */
  start(): Promise<void> {
    return this.projector.start();
  }

  /** This process committed `count` events: the projector, here or elsewhere, applies soon. */
  committed(count: number): void {
    if (this.projector.isProjecting) this.projector.eventsCommitted(count);
    else this.peers.publish({ server: this.uri, kind: "committed", events: count });
  }

  /** Positions the graph is known to hold now, without asking it. */
  known(): LogPositions | null {
    return this.positions.known()?.positions ?? null;
  }

  /** Waits until the graph holds `need` (read-your-writes), or 503 after `deadline`. */
  waitFor(need: LogPositions, deadline: number): Promise<void> {
    return this.gate.waitFor(need, deadline);
  }

  get projectingHere(): boolean {
    return this.projector.isProjecting;
  }

  get status(): ProjectionStatus {
    return this.projector.status;
  }

  /** The graph's positions as the graph itself says now: what an operator's probe asks. */
  async probePositions(): Promise<LogPositions> {
    return (await readGraphState(this.driver)).positions;
  }

  /** How many events the graph lacks of `need` (null if it cannot be asked). */
  async lag(need: LogPositions): Promise<number | null> {
    try {
      const known = this.projector.isProjecting ? this.positions.known() : null;
      return eventsBehind(known?.positions ?? (await this.probePositions()), need);
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.projector.close();
  }

  /** A reader waits: the projector here stops lingering, or the one elsewhere hears of it. */
  private hurry() {
    if (this.projector.isProjecting) {
      this.projector.readerWaiting();
      return;
    }
    if (Date.now() - this.nudgedAt < WAITING_NUDGE_MS) return;
    this.nudgedAt = Date.now();
    this.peers.publish({ server: this.uri, kind: "waiting" });
  }

  private heard(message: PeerMessage) {
    if (message.server !== this.uri) return;
    if (message.kind === "committed") {
      if (this.projector.isProjecting) this.projector.eventsCommitted(message.events);
    } else if (message.kind === "waiting") {
      if (this.projector.isProjecting) this.projector.readerWaiting();
    } else if (!this.projector.isProjecting) {
      this.positions.heard(message.graphId, new Map(message.positions));
    }
  }
}
