import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import { pino, type DestinationStream, type Logger } from "pino";
import { pinoHttp } from "pino-http";

export type { Logger } from "pino";

/** LOG_LEVEL's values, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The process's structured logger: one JSON object per line on stdout (or `destination`),
 * with ISO times. Everything in lib/ that logs takes it from its caller.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime, base: { pid: process.pid } };
  return destination ? pino(options, destination) : pino(options);
}

/** The clients' POSTs: the ingest path, thousands a second. */
const isIngest = (req: IncomingMessage) =>
  req.method === "POST" && (req.url!.startsWith("/initial") || req.url!.startsWith("/followup"));

const requestFields = (req: IncomingMessage) => ({ method: req.method, url: req.url });
const replyFields = (res: ServerResponse) => ({ statusCode: res.statusCode });
const line = (req: IncomingMessage, res: ServerResponse) =>
  `${req.method} ${req.url} ${res.statusCode}`;

/**
 * The access log (pino-http): one line per reply with method, URL, status and time taken, at
 * `info` (`warn` for a 503, `error` for another 5xx), except the ingest POSTs that succeed,
 * which are at `debug`. At c64 a pino-http line per ingest request costs about a third more
 * CPU per request (docs/operations.md "Logs"); so at `info` an ingest request pays for a line only when it
 * is refused or fails. Returns null when the level hides the access log altogether.
 */
export function accessLog(logger: Logger): RequestHandler | null {
  if (!logger.isLevelEnabled("info")) return null;
  const everyLine = pinoHttp({
    logger,
    wrapSerializers: false,
    // pino-http makes up an Error for every 5xx; its stack says nothing about the request.
    serializers: { req: requestFields, res: replyFields, err: (error: Error) => error.message },
    // A 503 is a store being down, which /readyz and the metrics report: a warning per reply.
    customLogLevel: (req, res, error) =>
      res.statusCode === 503
        ? "warn"
        : error || res.statusCode >= 500
          ? "error"
          : isIngest(req) && res.statusCode < 400
            ? "debug"
            : "info",
    customSuccessMessage: line,
    customErrorMessage: line,
  });
  const ingestLines = logger.isLevelEnabled("debug");
  return (req, res, next) => {
    if (ingestLines || !isIngest(req)) return everyLine(req, res, next);
    const started = performance.now();
    res.once("finish", () => {
      if (res.statusCode < 400) return;
      const fields = {
        req: requestFields(req),
        res: replyFields(res),
        responseTime: Math.round(performance.now() - started),
      };
      if (res.statusCode === 503) logger.warn(fields, line(req, res));
      else if (res.statusCode >= 500) logger.error(fields, line(req, res));
      else logger.info(fields, line(req, res));
    });
    next();
  };
}
