import { Neo4jError, type Driver } from "neo4j-driver";
import type { Leases } from "../../lib/log/leases.js";
import type { LoggedEvent } from "../../lib/log/logged-event.js";
import type { LogPositions } from "../../lib/log/log-positions.js";
import { CYPHER } from "../../lib/stores/statements.js";

type Params = Record<string, unknown>;
type Row = Record<string, unknown>;

const record = (row: Row) => ({ get: (key: string) => row[key] });

/** A Neo4j error as the driver raises it: "ServiceUnavailable" is the server being away. */
export const neo4jError = (code: string, message = code) =>
  new Neo4jError(message, code, "50N42", "error: general processing exception");

/**
 * A fake Neo4j server holding one graph's projection record, for the projection's unit specs:
 * it answers the projector's statements as cypher/ defines them (apply-batch moves each
 * writer's position only from where it is, or returns no row), counts what it applied, and
 * fails on cue as the real server can.
 */
export class FakeGraph {
  logId = "log-1";
  graphId = "graph-1";
  paused = false;
  /** False: no projection record yet (a graph no projector has prepared). */
  prepared = true;
  positions = new Map<number, number>();
  /** Every session and followup applied, in order. */
  sessions: string[] = [];
  followups: string[] = [];
  transactions = 0;
  statements: string[] = [];
  /** Thrown by every statement while set (the server is away). */
  down: Error | null = null;
  /** Thrown by the next apply-batch only (then cleared). */
  failNextApply: Error | null = null;
  /** Called before each apply-batch runs: a test may move the graph meanwhile. */
  beforeApply: () => void = () => {};

  driver(): Driver {
    const run = async (query: string, params: Params = {}) => {
      this.statements.push(query);
      if (this.down) throw this.down;
      return { records: this.answer(query, params).map(record) };
    };
    const session = {
      run,
      executeWrite: async (work: (tx: { run: typeof run }) => Promise<unknown>) => work({ run }),
      close: async () => {},
    };
    return { session: () => session } as unknown as Driver;
  }

  private answer(query: string, params: Params): Row[] {
    if (query === CYPHER.projectionPosition) {
      if (!this.prepared) return [];
      return [
        {
          logId: this.logId,
          graphId: this.graphId,
          paused: this.paused,
          positions: [...this.positions],
        },
      ];
    }
    if (query === CYPHER.writerPosition) {
      return [{ seq: this.positions.get(Number(params.writer)) ?? 0 }];
    }
    if (query === CYPHER.applyBatch) return this.apply(params);
    return [];
  }

  private apply(params: Params): Row[] {
    if (params.logId === "") return []; // the warm-up's planning run
    this.beforeApply();
    const failure = this.failNextApply;
    this.failNextApply = null;
    if (failure) throw failure;
    const moves = params.positions as { writer: number; from: number; to: number }[];
    const at = (writer: unknown) => this.positions.get(Number(writer)) ?? 0;
    const here = params.logId === this.logId && !this.paused;
    if (!here || moves.some((move) => at(move.writer) !== Number(move.from))) return [];
    for (const move of moves) this.positions.set(Number(move.writer), Number(move.to));
    const sessions = params.sessions as { uuid: string }[];
    const followups = params.followups as { uuid: string }[];
    this.sessions.push(...sessions.map((s) => s.uuid));
    this.followups.push(...followups.map((f) => f.uuid));
    this.transactions++;
    return [{ sessions: sessions.length, followups: followups.length }];
  }
}

/** A log in memory: writers' events by seq, as LogReader answers for them. */
export class FakeLog {
  events: LoggedEvent[] = [];
  logIdValue = "log-1";

  /** Appends `count` initials to `writer`'s sequence. */
  append(writer: number, count: number): void {
    for (let i = 0; i < count; i++) {
      const seq = this.events.filter((e) => e.writer === writer).length + 1;
      const uuid = `${writer}-${seq}`;
      this.events.push({
        writer,
        seq,
        kind: "initial",
        uuid,
        symbol: "a",
        guess: true,
        at: 1_000_000 * seq,
        sessionAt: 1_000_000 * seq,
      });
    }
  }

  async logId(): Promise<string> {
    return this.logIdValue;
  }

  async heads(): Promise<LogPositions> {
    const heads = new Map<number, number>();
    for (const e of this.events) heads.set(e.writer, Math.max(e.seq, heads.get(e.writer) ?? 0));
    return heads;
  }

  async writerEvents(writer: number, after: number, upTo: number, limit: number) {
    return this.events
      .filter((e) => e.writer === writer && e.seq > after && e.seq <= upTo)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }
}

/** Leases that this process holds or not, as a test says. */
export class FakeLeases {
  held = true;
  released: string[] = [];

  leases(): Leases {
    return {
      take: async () => this.held,
      release: async (name: string) => void this.released.push(name),
    } as unknown as Leases;
  }
}
