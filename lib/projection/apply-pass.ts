import neo4j, { type Driver } from "neo4j-driver";
import { StoreUnavailableError } from "../backend/data-errors.js";
import type { LoggedEvent } from "../log/logged-event.js";
import type { LogPositions } from "../log/log-positions.js";
import { withinDeadline } from "../stores/neo4j.js";
import { CYPHER } from "../stores/statements.js";
import { projectionBatch } from "./projection-batch.js";

/** One writer's position in the graph, before and after a transaction. */
export interface Move {
  writer: number;
  from: number;
  to: number;
}

/** What one transaction applies: each writer's move, and exactly the events in between. */
export interface Pass {
  moves: Move[];
  events: LoggedEvent[];
}

/** What a projection reads of the log (log/log-reader.ts): each writer's head, and its events. */
export interface ProjectionSource {
  heads(): Promise<LogPositions>;
  writerEvents(writer: number, after: number, upTo: number, limit: number): Promise<LoggedEvent[]>;
}

/**
 * Reads what the log has beyond `positions`, up to `heads`, at most `budget` events, writer by
 * writer: the next transaction's worth. Empty when the graph holds everything.
 */
export async function readPass(
  log: ProjectionSource,
  heads: LogPositions,
  positions: LogPositions,
  budget: number,
): Promise<Pass> {
  const moves: Move[] = [];
  const events: LoggedEvent[] = [];
  let left = budget;
  for (const [writer, head] of heads) {
    const from = positions.get(writer) ?? 0;
    if (head <= from || left <= 0) continue;
    const page = await log.writerEvents(writer, from, head, left);
    // Everything of this writer up to its head is final (its sequence commits in order), so a
    // page that did not fill up reaches the head even where old rows left gaps in seq.
    const to = page.length === left ? page.at(-1)!.seq : head;
    moves.push({ writer, from, to });
    events.push(...page);
    left -= page.length;
  }
  return { moves, events };
}

/** The graph was not where this projector thought: another projector (or a rebuild) moved it. */
export class ProjectionMovedError extends Error {}

/** How long one apply transaction may take: Neo4j's limit, and this side's grace beyond it. */
export interface ApplyLimits {
  timeoutMs: number;
  graceMs: number;
}

/**
 * Applies one pass to the graph in one transaction (cypher/apply-batch.cypher), which moves
 * each writer's recorded position from `from` to `to` only if the graph is at `from`: throws
 * ProjectionMovedError if it was not (nothing applied), and fails rather than apply part of it.
 */
export async function applyPass(
  driver: Driver,
  logId: string,
  { moves, events }: Pass,
  limits: ApplyLimits,
): Promise<void> {
  const batch = projectionBatch(moves, events);
  const session = driver.session({ defaultAccessMode: neo4j.session.WRITE });
  try {
    const applying = session.executeWrite(
      async (tx) => {
        const result = await tx.run(CYPHER.applyBatch, { ...batch, logId });
        const applied = result.records[0];
        if (!applied) throw new ProjectionMovedError();
        expectApplied("sessions", applied.get("sessions"), batch.sessions.length);
        expectApplied("followups", applied.get("followups"), batch.followups.length);
      },
      { timeout: limits.timeoutMs },
    );
    await withinDeadline(applying, limits.timeoutMs + limits.graceMs);
  } finally {
    await session.close();
  }
}

/** Neo4j stopped the transaction at its time limit, or this side stopped waiting for it. */
export function ranOutOfTime(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return /no answer within/.test(error.message);
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === "string" &&
    (code.includes("TransactionTimedOut") ||
      (code.includes("LockClientStopped") && /terminated/i.test((error as Error).message)))
  );
}

/** A row that matched nothing is an event lost: fail the transaction instead. */
function expectApplied(what: string, applied: number | undefined, expected: number) {
  if ((applied ?? 0) !== expected) {
    throw new Error(`applied ${applied ?? 0} of ${expected} ${what}: the graph is missing nodes`);
  }
}
