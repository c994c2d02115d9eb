import neo4j, { type Integer } from "neo4j-driver";
import type { Micros } from "../model/timestamp.js";
import type { LoggedEvent } from "./logged-event.js";
import { bucketStart, GRAINS, type Grain } from "./range-plan.js";

// JS numbers reach Cypher as floats; times and counts must stay integers in the graph.
const int = (value: number): Integer => neo4j.int(value);

interface Totals {
  initials: number;
  followups: number;
  earliest: Micros | null;
  latest: Micros | null;
}

/** The parameters of one apply transaction: a contiguous run of the log, pre-aggregated. */
export interface ProjectionBatch {
  /** The projection's position before and after this batch. */
  from: number;
  to: number;
  sessions: { uuid: string; symbol: string; guess: boolean; at: Integer }[];
  followups: { id: Integer; uuid: string; at: Integer }[];
  buckets: (BucketTotals & { grain: Grain; start: Integer; symbol: string })[];
  symbols: (BucketTotals & { symbol: string })[];
}

interface BucketTotals {
  initials: Integer;
  followups: Integer;
  earliest: Integer | null;
  latest: Integer | null;
}

function add(totals: Map<string, Totals>, key: string, initial: Micros | null) {
  let entry = totals.get(key);
  if (!entry)
    totals.set(key, (entry = { initials: 0, followups: 0, earliest: null, latest: null }));
  if (initial === null) {
    entry.followups++;
    return;
  }
  entry.initials++;
  if (entry.earliest === null || initial < entry.earliest) entry.earliest = initial;
  if (entry.latest === null || initial > entry.latest) entry.latest = initial;
}

const toParams = (t: Totals): BucketTotals => ({
  initials: int(t.initials),
  followups: int(t.followups),
  earliest: t.earliest === null ? null : int(t.earliest),
  latest: t.latest === null ? null : int(t.latest),
});

/**
 * Turns the log events in (from, to] into one transaction's parameters. Bucket and symbol
 * totals are summed here, so a batch of thousands of events touches each bucket once.
 */
export function projectionBatch(from: number, events: readonly LoggedEvent[]): ProjectionBatch {
  const sessions: ProjectionBatch["sessions"] = [];
  const followups: ProjectionBatch["followups"] = [];
  const bucketTotals = new Map<string, Totals>();
  const symbolTotals = new Map<string, Totals>();
  let to = from;
  for (const event of events) {
    to = event.id;
    const initialAt = event.kind === "initial" ? event.at : null;
    if (event.kind === "initial") {
      sessions.push({
        uuid: event.uuid,
        symbol: event.symbol,
        guess: event.guess,
        at: int(event.at),
      });
    } else {
      followups.push({ id: int(event.id), uuid: event.uuid, at: int(event.at) });
    }
    add(symbolTotals, event.symbol, initialAt);
    for (const { grain, micros } of GRAINS) {
      add(
        bucketTotals,
        `${grain} ${bucketStart(event.sessionAt, micros)} ${event.symbol}`,
        initialAt,
      );
    }
  }
  return {
    from,
    to,
    sessions,
    followups,
    buckets: [...bucketTotals].map(([key, totals]) => {
      const [grain, start, symbol] = key.split(" ") as [Grain, string, string];
      return { grain, start: int(Number(start)), symbol, ...toParams(totals) };
    }),
    symbols: [...symbolTotals].map(([symbol, totals]) => ({ symbol, ...toParams(totals) })),
  };
}
