/** Errors a backend raises; the HTTP layer maps each to its status. */

/** A store the backend needs is down or not answering in time. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly store: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${store} is unavailable: ${detail}`, options);
  }
}

/** A followup named a session that never had an initial request. */
export class UnknownSessionError extends Error {
  constructor(readonly uuid: string) {
    super(`no initial request was recorded for uuid ${uuid}; POST /initial first`);
  }
}

/** An initial request reused a uuid that is already bound to another symbol. */
export class SessionConflictError extends Error {
  constructor(
    readonly uuid: string,
    readonly existingSymbol: string,
    readonly requestedSymbol: string,
  ) {
    super(
      `uuid ${uuid} was already used with symbol "${existingSymbol}"; ` +
        `a session asks about one symbol, so send a new uuid for "${requestedSymbol}"`,
    );
  }
}

/** An Idempotency-Key came back with a request other than the one it was first used for. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super(
      `Idempotency-Key "${key}" was already used for a different request; ` +
        "send a new key for a new request, and the same key only to repeat the same one",
    );
  }
}

/** The backend has more requests waiting than it accepts; the client should come back soon. */
export class StoreBusyError extends Error {
  constructor(
    detail: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(`the service is busy: ${detail}; retry in ${retryAfterSeconds} s`);
  }
}

/** The store may or may not have committed the request: only a retry can tell. */
export class OutcomeUnknownError extends StoreUnavailableError {
  constructor(store: string, detail: string, options?: { cause?: unknown }) {
    super(
      store,
      `${detail}; the request may have been stored: retry it (with the same Idempotency-Key ` +
        "header, a repeat is counted once)",
      options,
    );
  }
}
