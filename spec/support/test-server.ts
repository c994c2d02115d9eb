import http from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../lib/app.js";
import { createHttpServer } from "../../lib/server.js";
import type { DataInterface } from "../../lib/backend/data-interface.js";
import type { RandomSource } from "../../lib/model/random.js";

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `data` on a free loopback port, the way the real server does (its limits too). */
export async function serve(data: DataInterface, random?: RandomSource): Promise<TestServer> {
  const server = createHttpServer(createApp(data, random));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with full control of method, headers and body; no client library between. */
export function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string | number>; body?: string | Buffer } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, headers: options.headers });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A GET that expects JSON back. */
export async function getJson<T = unknown>(
  baseUrl: string,
  path: string,
): Promise<{ status: number; json: T }> {
  const reply = await request(baseUrl, "GET", path);
  return { status: reply.status, json: JSON.parse(reply.body) as T };
}

/** `/dashboard/range/…` with both bounds encoded for the path. */
export function rangePath(lower: string, upper: string) {
  return `/dashboard/range/${encodeURIComponent(lower)}/${encodeURIComponent(upper)}`;
}
