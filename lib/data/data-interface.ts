import type { SymbolAggregate } from "../model/aggregates.js";
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
  /** Finishes in-flight writes and releases connections. */
  close(): Promise<void>;
}
