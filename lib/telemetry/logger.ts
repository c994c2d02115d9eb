import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import { pino, type DestinationStream, type Logger } from "pino";
import { pinoHttp } from "pino-http";

export type { Logger } from "pino";

/** LOG_LEVEL's values, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The level of the access log's line for a reply of any status below 500. */
const ACCESS_LEVEL = "info";

/**
 * The process's structured logger: one JSON object per line on stdout (or `destination`),
 * with ISO times. Everything in lib/ that logs takes it from its caller.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime, base: { pid: process.pid } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The access log (pino-http): one line per reply with method, URL, status and time taken,
 * at `info` (`error` for a 5xx). Returns null when the logger's level hides those lines: then
 * the request path pays nothing for it (a child logger per request is not free at c64).
 */
export function accessLog(logger: Logger): RequestHandler | null {
  if (!logger.isLevelEnabled(ACCESS_LEVEL)) return null;
  const middleware = pinoHttp({
    logger,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, url: req.url }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : ACCESS_LEVEL),
    customSuccessMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
  });
  return (req, res, next) => middleware(req, res, next);
}
