import type { AddressInfo } from "node:net";
import http from "node:http";
import express from "express";

/**
 * The floor under the null backend: a bare Express 5 app answering the two POST routes with
 * constants, with no validation, no backend and no error handling. Run as its own process
 * (PORT, HOST from the environment), exactly like dist/lib/main.js.
 */
const app = express();
// The service's own app settings, so that the difference is the service's work, not headers.
app.disable("x-powered-by");
app.set("etag", false);
app.post("/initial", (_req, res) => {
  res.type("text/plain").send("True");
});
app.post("/followup", (_req, res) => {
  res.type("text/plain").send("hooray");
});

const server = http.createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`bare express listening on http://${address}:${port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
