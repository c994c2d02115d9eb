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
