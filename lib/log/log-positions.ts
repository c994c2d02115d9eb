/**
 * How far a reader or the graph has got in the log: for each writer id, the last seq of its
 * sequence covered. A writer's sequence has no gaps and commits in order, so one number per
 * writer says exactly which of its events are in, however the writers' commits interleave.
 */
export type LogPositions = ReadonlyMap<number, number>;

/** Whether `have` covers every event `need` does (a writer `have` lacks is at seq 0). */
export function covers(have: LogPositions, need: LogPositions): boolean {
  for (const [writer, seq] of need) {
    if ((have.get(writer) ?? 0) < seq) return false;
  }
  return true;
}

/** How many events `need` has that `have` lacks (exact for writers 1.., whose seqs are dense). */
export function eventsBehind(have: LogPositions, need: LogPositions): number {
  let behind = 0;
  for (const [writer, seq] of need) behind += Math.max(0, seq - (have.get(writer) ?? 0));
  return behind;
}

/** Every writer at the furthest seq either map has. */
export function furthest(a: LogPositions, b: LogPositions): Map<number, number> {
  const merged = new Map(a);
  for (const [writer, seq] of b) merged.set(writer, Math.max(seq, merged.get(writer) ?? 0));
  return merged;
}

/** Positions as [writer, seq] pairs, for parameters and JSON. */
export function positionPairs(positions: LogPositions): [number, number][] {
  return [...positions].sort(([a], [b]) => a - b);
}
