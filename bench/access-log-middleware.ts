// The access log's own cost per ingest request, without HTTP or a load generator in the way
// (docs/operations.md "Logs"): lib/telemetry/logger.ts's middleware at each level, called N times over a
// fake request and reply that then finish, its lines written to /dev/null.
//
//   node --import tsx bench/access-log-middleware.ts [N=200000]
import { EventEmitter } from "node:events";
import fs from "node:fs";
import { accessLog, createLogger, type LogLevel } from "../lib/telemetry/logger.js";

const n = Number(process.argv[2] ?? 200_000);
const destination = fs.createWriteStream("/dev/null");
const url = "/initial?uuid=6d1f7c0e-3b7e-4f3a-9d1c-1a2b3c4d5e6f&symbol=e";

// Twice round, so that the second pass of each level runs compiled.
for (const level of ["warn", "info", "debug", "warn", "info", "debug"] as LogLevel[]) {
  const middleware = accessLog(createLogger(level, destination as never));
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const req = Object.assign(new EventEmitter(), { method: "POST", url, headers: {} });
    const res = Object.assign(new EventEmitter(), {
      statusCode: 200,
      headersSent: true,
      writableEnded: true,
      getHeaders: () => ({}),
      getHeader: () => undefined,
      setHeader: () => undefined,
    });
    middleware?.(req as never, res as never, () => {});
    res.emit("finish");
    res.emit("close");
  }
  const ns = Number(process.hrtime.bigint() - started) / n;
  console.log(
    `LOG_LEVEL=${level}: ${(ns / 1000).toFixed(2)} µs per request, fake request included` +
      (middleware ? "" : " (no access log)"),
  );
}
destination.end();
