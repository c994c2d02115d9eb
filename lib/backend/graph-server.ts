import type { Driver } from "neo4j-driver";
import type { Leases } from "../log/leases.js";
import { eventsBehind, type LogPositions } from "../log/log-positions.js";
import type { LogReader } from "../log/log-reader.js";
import { AppliedPositions } from "../projection/applied-positions.js";
import { readGraphState, RebuildInProgressError } from "../projection/graph-state.js";
import { StoreUnavailableError } from "./data-errors.js";
import {
  NO_PEERS,
  projectorNews,
  type PeerMessage,
  type ProjectionPeers,
} from "../projection/projection-peers.js";
import { Projector, type ProjectionStatus } from "../projection/projector.js";
import { GraphWriterProgress, PROGRESS_READ } from "../projection/writer-progress.js";
import type { ReadableGraph } from "../reads/fresh-read.js";
import { GraphDashboard } from "../reads/graph-dashboard.js";
import { ReadGate } from "../reads/read-gate.js";
import { boundedRead } from "../stores/neo4j.js";
import { CYPHER } from "../stores/statements.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";

/**
 * A projector's news is trusted this long by the other processes. It repeats it at a quarter
 * of that when nothing moves, so it stays fresh while the projector lives; a projector gone
 * quiet (dead, or its graph replaced) leaves the others asking the graph again.
 */
export const NEWS_MS = 1000;
/** A projector's word that it cannot reach its graph is trusted this long (it repeats it). */
const PROBLEM_MS = 3000;
/** A process tells the projector that readers wait at most this often. */
const WAITING_NUDGE_MS = 5;

export interface GraphServerOptions {
  uri: string;
  driver: Driver;
  log: LogReader;
  leases: Leases;
  logId: string;
  /**
   * Whether this process runs a projector for the server (PROJECTOR=worker: one process of
   * the service, elected by lease, applies) or leaves it to a process of its own
   * (PROJECTOR=process), which it hears from through `peers`.
   */
  project: boolean;
  /** The other processes of a `WORKERS` service, kept informed of the projection. */
  peers?: ProjectionPeers;
  telemetry?: Telemetry;
}

/**
 * One Neo4j server as an API process uses it: the gate that makes reads wait for their writes
 * (reads/read-gate.ts), the dashboard queries, and the projection that keeps the graph equal to
 * the log — run here (projection/projector.ts) or in another process, which this one hears
 * from and nudges through the news between processes (projection-peers.ts).
 */
export class GraphServer implements ReadableGraph<GraphDashboard> {
  readonly uri: string;
  readonly driver: Driver;
  readonly positions = new AppliedPositions({ newsMs: NEWS_MS });
  readonly projector: Projector | null;
  readonly gate: ReadGate;
  readonly progress: GraphWriterProgress;
  readonly dashboard: GraphDashboard;
  private readonly peers: ProjectionPeers;
  private readonly unsubscribe: () => void;
  private nudgedAt = 0;
  /** The projector elsewhere said it cannot reach the graph: why, and when. */
  private problem: { text: string; at: number } | null = null;

  constructor(options: GraphServerOptions) {
    const { uri, driver, telemetry = NO_TELEMETRY } = options;
    this.uri = uri;
    this.driver = driver;
    this.peers = options.peers ?? NO_PEERS;
    this.dashboard = new GraphDashboard(driver);
    this.projector = options.project
      ? new Projector({
          server: uri,
          driver,
          log: options.log,
          leases: options.leases,
          logId: options.logId,
          positions: this.positions,
          telemetry,
          tellEveryMs: NEWS_MS / 4,
          news: projectorNews(this.peers, uri),
          readersWaiting: () => this.gate.readersWaiting > 0,
        })
      : null;
    this.gate = new ReadGate({
      server: uri,
      positions: this.positions,
      unreachable: () => this.unreachable(),
      askGraph: () => this.probePositions(),
      hurry: () => this.hurry(),
      telemetry,
    });
    this.progress = new GraphWriterProgress({
      positions: this.positions,
      reachable: () => this.unreachable() === null,
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

  /** Starts the projector, if this process runs one; resolves after its first attempt. */
  async start(): Promise<void> {
    await this.projector?.start();
  }

  /** This process committed `count` events: the projector, here or elsewhere, applies soon. */
  committed(count: number): void {
    if (this.projectingHere) this.projector!.eventsCommitted(count);
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

  /** Whether this process applies the log to this server now (its positions are exact). */
  get projectingHere(): boolean {
    return this.projector?.isProjecting ?? false;
  }

  get status(): ProjectionStatus {
    if (this.projector) return this.projector.status;
    const problem = this.unreachable();
    return { server: this.uri, reachable: problem === null, projector: false, problem };
  }

  /** The graph's positions as the graph itself says now: what an operator's probe asks. */
  async probePositions(): Promise<LogPositions> {
    try {
      return (await readGraphState(this.driver)).positions;
    } catch (error) {
      // A graph no projector has prepared yet (a projector process still starting), or one a
      // rebuild holds: nothing to answer from yet, as when it is down.
      if (error instanceof RebuildInProgressError) {
        throw new StoreUnavailableError("Neo4j", `${this.uri}: ${error.message}`);
      }
      throw error;
    }
  }

  /** How many events the graph lacks of `need` (null if it cannot be asked). */
  async lag(need: LogPositions): Promise<number | null> {
    try {
      const known = this.projectingHere ? this.known() : null;
      return eventsBehind(known ?? (await this.probePositions()), need);
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.projector?.close();
  }

  /** Null when the graph is thought reachable; else why not (reads are then 503 at once). */
  private unreachable(): string | null {
    if (this.projector) return this.projector.unreachable;
    const problem = this.problem;
    return problem && Date.now() - problem.at < PROBLEM_MS ? problem.text : null;
  }

  /** A reader waits: the projector here stops lingering, or the one elsewhere hears of it. */
  private hurry() {
    if (this.projectingHere) {
      this.projector!.readerWaiting();
      return;
    }
    if (Date.now() - this.nudgedAt < WAITING_NUDGE_MS) return;
    this.nudgedAt = Date.now();
    this.peers.publish({ server: this.uri, kind: "waiting" });
  }

  private heard(message: PeerMessage) {
    if (message.server !== this.uri) return;
    switch (message.kind) {
      case "committed":
        if (this.projectingHere) this.projector!.eventsCommitted(message.events);
        break;
      case "waiting":
        if (this.projectingHere) this.projector!.readerWaiting();
        break;
      case "applied":
        if (this.projectingHere) break;
        // Without a projector of its own, this process knows the graph by its projector's word.
        if (!this.projector) this.positions.graphId = message.graphId;
        this.problem = null;
        this.positions.heard(message.graphId, new Map(message.positions));
        break;
      case "unreachable":
        if (!this.projector) this.problem = { text: message.problem, at: Date.now() };
        break;
    }
  }
}
