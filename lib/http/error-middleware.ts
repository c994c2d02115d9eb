import type { ErrorRequestHandler, RequestHandler } from "express";
import {
  IdempotencyKeyReusedError,
  SessionConflictError,
  StoreBusyError,
  StoreUnavailableError,
  UnknownSessionError,
} from "../backend/data-errors.js";
import type { Logger } from "../telemetry/logger.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import { HttpError, MethodNotAllowedError } from "./http-errors.js";

/** Answers every known path with a 405 naming the methods it does support. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (req, _res, next) => next(new MethodNotAllowedError(req.method, req.path, allowed));
}

/** The JSON 404 for paths the service does not have; mounted after every route. */
export const unknownRoute: RequestHandler = (req, res) => {
  res.status(404).json({
    error:
      `no such endpoint: ${req.method} ${req.path}; expected POST /initial, POST /followup, ` +
      "GET /dashboard/symbol/<symbol>, GET /dashboard/range/<lower>/<upper>, " +
      "GET /dashboard/series/<lower>/<upper>?grain=…, the page at GET /, " +
      "GET /healthz, GET /readyz or GET /metrics",
  });
};

interface ParserError {
  status?: number;
  type?: string;
  expose?: boolean;
  message: string;
}

function statusOf(error: unknown): { status: number; message: string; headers?: object } {
  if (error instanceof HttpError) return error;
  if (error instanceof UnknownSessionError) return { status: 404, message: error.message };
  if (error instanceof SessionConflictError) return { status: 409, message: error.message };
  if (error instanceof IdempotencyKeyReusedError) return { status: 422, message: error.message };
  if (error instanceof StoreUnavailableError) return { status: 503, message: error.message };
  if (error instanceof StoreBusyError) {
    return {
      status: 503,
      message: error.message,
      headers: { "Retry-After": String(error.retryAfterSeconds) },
    };
  }
  const parser = error as ParserError;
  if (parser.type === "entity.too.large") {
    return { status: 413, message: "the request body is too large; expected at most 2 kB" };
  }
  if (parser.type === "entity.parse.failed") {
    return { status: 400, message: "the body is not valid JSON; expected an object of fields" };
  }
  if (parser.type === "encoding.unsupported") {
    return {
      status: 415,
      message: `${parser.message}; expected no Content-Encoding, gzip, deflate or br`,
    };
  }
  if (parser.type === "charset.unsupported") {
    return { status: 415, message: `${parser.message}; expected a UTF-8 body` };
  }
  // The router throws this, without `expose`, when a path parameter is not valid %-encoding.
  if (error instanceof URIError) {
    return {
      status: 400,
      message: "the URL path is not valid percent-encoding; expected e.g. %25 for a literal %",
    };
  }
  if (parser.expose && parser.status && parser.status >= 400 && parser.status < 500) {
    return { status: parser.status, message: parser.message };
  }
  return { status: 500, message: "internal error" };
}

/**
 * Renders every error as `{"error": ...}` with its status; unexpected ones are logged, and a
 * store that is down is counted for /metrics.
 */
export function errorMiddleware(logger: Logger, telemetry: Telemetry): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const { status, message, headers } = statusOf(error);
    if (error instanceof StoreUnavailableError) telemetry.storeError(error.store, "unavailable");
    if (status >= 500 && status !== 503) {
      logger.error({ err: error, method: req.method, url: req.originalUrl }, "request failed");
    }
    if (headers) res.set(headers);
    res.status(status).json({ error: message });
  };
}
