import type { SymbolAggregate } from "../model/aggregates.js";
import type { Series, SeriesGrain } from "../model/series.js";
import type { Micros } from "../model/timestamp.js";

/** The outcome of an initial request: the guess the client gets (the first one, on a retry). */
export interface InitialResult {
  guess: boolean;
}

/** What a write may carry besides its fields: an Idempotency-Key, and its client's presence. */
export interface WriteOptions {
  /** A repeat of the same key is answered as the first time and counted once. */
  key?: string;
  /** Aborted when the client has gone: a request not yet written is then not written. */
  signal?: AbortSignal;
}

/**
 * What every backend implements. Inputs are already validated by the HTTP layer:
 * `uuid` is lower-case canonical, `symbol` one of a..z, `lower < upper` or equal.
 * Failures are the errors in ./data-errors.ts; nothing here knows about HTTP.
 */
export interface DataInterface {
  /** Records an initial request and the server's guess; returns the guess to send back. */
  logInitial(
    uuid: string,
    symbol: string,
    guess: boolean,
    options?: WriteOptions,
  ): Promise<InitialResult>;
  /** Records one followup event for the session `uuid`. */
  logFollowup(uuid: string, options?: WriteOptions): Promise<void>;
  /** The summary of one symbol over all time. */
  symbolAggregates(symbol: string): Promise<SymbolAggregate>;
  /** The summaries of a..z over initial events with `lower <= time < upper`. */
  rangeAggregates(lower: Micros, upper: Micros): Promise<SymbolAggregate[]>;
  /**
   * Initials and followups per `grain` bucket over `[lower, upper)`, all letters together or
   * only `symbol`'s; a followup counts in its session's initial's bucket, as in a range. The
   * bounds are bucket starts (model/series.ts `seriesSpan` widens a request to them) and span
   * at most MAX_SERIES_BUCKETS; every bucket is in the reply, zero when empty.
   */
  seriesAggregates(
    lower: Micros,
    upper: Micros,
    grain: SeriesGrain,
    symbol?: string,
  ): Promise<Series>;
  /**
   * How the backend's stores are doing, for GET /readyz: a plain object with `ready` and,
   * when not ready, `missing` naming what is not there. Backends without stores omit it.
   */
  readiness?(): Promise<Readiness>;
  /** Finishes in-flight writes and releases connections. */
  close(): Promise<void>;
}

/** What a backend reports to GET /readyz; the rest of the object is the backend's own detail. */
export interface Readiness {
  ready: boolean;
  /**
   * What is missing or behind, one phrase each ("Neo4j bolt://…: unreachable (…)"); empty when
   * all is well, and never empty when not ready (a ready service may still name a spare store).
   */
  missing: string[];
  [detail: string]: unknown;
}
