/** Errors that carry the HTTP status they answer with; the error middleware renders them. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(405, `${method} is not supported on ${path}; use ${allowed.join(" or ")}`, {
      Allow: allowed.join(", "),
    });
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(contentType: string) {
    super(
      415,
      `a body of type "${contentType}" is not understood; send the fields in the query string, ` +
        "as application/json or as application/x-www-form-urlencoded",
    );
  }
}
