import neo4j, { type Integer } from "neo4j-driver";
import { EventTotals, type Totals } from "./event-totals.js";
import type { LoggedEvent } from "../log/logged-event.js";
import type { Grain } from "../model/grains.js";

// JS numbers reach Cypher as floats; times and counts must stay integers in the graph.
const int = (value: number): Integer => neo4j.int(value);

interface TotalsParams {
  initials: Integer;
  followups: Integer;
  earliest: Integer | null;
  latest: Integer | null;
}

/** The parameters of one apply transaction: runs of writers' sequences, pre-aggregated. */
export interface ProjectionBatch {
  /** Each writer's position before and after this batch. */
  positions: { writer: Integer; from: Integer; to: Integer }[];
  sessions: { uuid: string; symbol: string; guess: boolean; at: Integer }[];
  followups: { uuid: string; symbol: string; at: Integer }[];
  buckets: (TotalsParams & { grain: Grain; start: Integer; symbol: string })[];
  symbols: (TotalsParams & { symbol: string })[];
}

const toParams = (t: Totals): TotalsParams => ({
  initials: int(t.initials),
  followups: int(t.followups),
  earliest: t.earliest === null ? null : int(t.earliest),
  latest: t.latest === null ? null : int(t.latest),
});

/**
 * Turns events into one transaction's parameters: `moves` are the writers' positions from and
 * to (the events must be exactly those in between). Bucket and symbol totals are summed here,
 * so a batch of thousands of events touches each bucket once.
 */
export function projectionBatch(
  moves: readonly { writer: number; from: number; to: number }[],
  events: readonly LoggedEvent[],
): ProjectionBatch {
  const sessions: ProjectionBatch["sessions"] = [];
  const followups: ProjectionBatch["followups"] = [];
  const totals = new EventTotals();
  for (const event of events) {
    if (event.kind === "initial") {
      sessions.push({
        uuid: event.uuid,
        symbol: event.symbol,
        guess: event.guess,
        at: int(event.at),
      });
    } else {
      followups.push({ uuid: event.uuid, symbol: event.symbol, at: int(event.at) });
    }
    totals.add(event);
  }
  return {
    positions: moves.map((m) => ({ writer: int(m.writer), from: int(m.from), to: int(m.to) })),
    sessions,
    followups,
    buckets: [...totals.bucketEntries()].map(([key, t]) => ({
      grain: key.grain,
      start: int(key.start),
      symbol: key.symbol,
      ...toParams(t),
    })),
    symbols: [...totals.symbols].map(([symbol, t]) => ({ symbol, ...toParams(t) })),
  };
}
