import { StoreUnavailableError } from "../backend/data-errors.js";
import { covers, type LogPositions } from "../log/log-positions.js";

/** One graph as a read sees it: how far it is known to be, its gate, and its queries. */
export interface ReadableGraph<D> {
  /** Positions the graph is known to hold now, without asking it (applied-positions.ts). */
  known(): LogPositions | null;
  /** Waits until the graph holds `need`, or the deadline passes (reads/read-gate.ts). */
  waitFor(need: LogPositions, deadline: number): Promise<void>;
  /** Whether this process projects into it (its positions are exact: asked first). */
  readonly projectingHere: boolean;
  readonly dashboard: D;
}

export interface FreshReadOptions<D> {
  graphs: () => readonly ReadableGraph<D>[];
  /** Every writer's last committed seq in the log, read now. */
  heads: () => Promise<LogPositions>;
  /** How long a read waits for a graph to catch up before it is a 503. */
  waitMs: number;
}

/**
 * Read-your-writes over several graphs: a read is answered by a graph that holds every event
 * the log had committed when the read arrived (the log's heads), by the first graph in the
 * order this process knows best; a graph that is down is passed over for the next.
 *
 * While the graph is known to be current, the heads and the query go out together, so a read
 * costs one round trip to Neo4j rather than one to each store in turn: the positions known
 * before the query was sent are in the graph the query reads, so if they cover the heads the
 * answer holds every acknowledged write. If they do not (writes arrived meanwhile), the answer
 * is thrown away and the read waits at the gate like any other.
 */
export class FreshReads<D> {
  /**
   * The heads the last read saw, raised by this process's own commits since: a graph that held
   * them is likely to hold the next ones; one that does not is not asked before the gate.
   */
  private lastHeads: LogPositions = new Map();

  constructor(private readonly options: FreshReadOptions<D>) {}

  /**
   * This process committed `writer`'s events up to `seq`: a read that follows cannot be
   * answered by a graph that does not hold them yet, so it goes to the gate at once instead of
   * sending a query whose answer would be thrown away (a hung Neo4j would hold one such query
   * per read).
   */
  committed(writer: number, seq: number): void {
    if ((this.lastHeads.get(writer) ?? 0) >= seq) return;
    this.lastHeads = new Map(this.lastHeads).set(writer, seq);
  }

  async read<T>(query: (dashboard: D) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.options.waitMs;
    const needing = this.options.heads().then((heads) => (this.lastHeads = heads));
    const graphs = [...this.options.graphs()].sort(
      (a, b) => Number(b.projectingHere) - Number(a.projectingHere),
    );
    const first = graphs[0];
    const known = first?.known();
    let failure: unknown;
    let passed = new Set<ReadableGraph<D>>();
    if (first && known && covers(known, this.lastHeads)) {
      const answering = query(first.dashboard);
      answering.catch(() => {}); // awaited below unless the heads say it is too old
      const need = await needing;
      if (covers(known, need)) {
        try {
          return await answering;
        } catch (error) {
          if (!(error instanceof StoreUnavailableError)) throw error;
          failure = error;
          passed = new Set([first]);
        }
      }
    }
    const need = await needing;
    for (const graph of graphs) {
      if (passed.has(graph)) continue;
      try {
        await graph.waitFor(need, deadline);
        return await query(graph.dashboard);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        failure ??= error;
      }
    }
    throw failure;
  }
}
