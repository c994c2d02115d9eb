import {
  IdempotencyKeyReusedError,
  SessionConflictError,
  UnknownSessionError,
} from "../backend/data-errors.js";
import type { Micros } from "../model/timestamp.js";
import type { LoggedEvent } from "./logged-event.js";

/** A request waiting in the write queue, as the log's session rules see it. */
export type LogRequest =
  | { kind: "initial"; uuid: string; symbol: string; guess: boolean; at: Micros; key?: string }
  | { kind: "followup"; uuid: string; at: Micros; key?: string };

/** A session's initial, as the log holds it. */
export interface KnownSession {
  symbol: string;
  guess: boolean;
  at: Micros;
}

/** What an Idempotency-Key was first used for. */
export interface KeyedRequest {
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  guess: boolean;
}

/** Each request's answer: the guess (initials), done (followups), or the rule it broke. */
export type Outcome = { guess?: boolean } | { error: Error };

export interface BatchPlan {
  /** The events to append, in sequence order, seqs continuing `lastSeq`. */
  events: (LoggedEvent & { key: string | null })[];
  /** One per request, in the order given. */
  outcomes: Outcome[];
}

/**
 * The session rules for one batch of one writer, in queue order, over what the log already
 * holds (`sessions` and `keys` found for the batch's uuids and keys): an initial for a new uuid
 * is appended; the same uuid and symbol again is a retry answered with the first guess; another
 * symbol is a conflict; a followup needs its session's initial (logged before, or earlier in
 * this batch); a request whose Idempotency-Key was used before is answered as the first time
 * and appends nothing. Pure, so that every rule is tested without a database.
 */
export function planBatch(
  writer: number,
  lastSeq: number,
  requests: readonly LogRequest[],
  sessions: Map<string, KnownSession>,
  keys: Map<string, KeyedRequest>,
): BatchPlan {
  const events: BatchPlan["events"] = [];
  const outcomes: Outcome[] = [];
  let seq = lastSeq;
  for (const request of requests) {
    const session = sessions.get(request.uuid);
    const keyed = request.key === undefined ? undefined : keys.get(request.key);
    if (keyed) {
      outcomes.push(replay(request, keyed));
      continue;
    }
    if (request.kind === "initial") {
      if (session) {
        outcomes.push(
          session.symbol === request.symbol
            ? { guess: session.guess }
            : { error: new SessionConflictError(request.uuid, session.symbol, request.symbol) },
        );
        continue;
      }
      const { uuid, symbol, guess, at } = request;
      sessions.set(uuid, { symbol, guess, at });
      events.push({
        writer,
        seq: ++seq,
        kind: "initial",
        uuid,
        symbol,
        guess,
        at,
        sessionAt: at,
        key: request.key ?? null,
      });
      outcomes.push({ guess });
    } else {
      if (!session) {
        outcomes.push({ error: new UnknownSessionError(request.uuid) });
        continue;
      }
      const { symbol, guess } = session;
      events.push({
        writer,
        seq: ++seq,
        kind: "followup",
        uuid: request.uuid,
        symbol,
        guess,
        at: request.at,
        sessionAt: session.at,
        key: request.key ?? null,
      });
      outcomes.push({});
    }
    if (request.key !== undefined) {
      const { symbol, guess } = sessions.get(request.uuid)!;
      keys.set(request.key, { kind: request.kind, uuid: request.uuid, symbol, guess });
    }
  }
  return { events, outcomes };
}

function replay(request: LogRequest, first: KeyedRequest): Outcome {
  const same =
    first.kind === request.kind &&
    first.uuid === request.uuid &&
    (request.kind === "followup" || request.symbol === first.symbol);
  if (!same) return { error: new IdempotencyKeyReusedError(request.key!) };
  return request.kind === "initial" ? { guess: first.guess } : {};
}
