import { expect } from "chai";
import type { DataInterface } from "../../lib/backend/data-interface.js";
import type { SymbolAggregate } from "../../lib/model/aggregates.js";
import type { RandomSource } from "../../lib/model/random.js";
import type { Micros } from "../../lib/model/timestamp.js";
import type { BackendFactory } from "./backends.js";
import { getJson, rangePath, serve, type RawReply } from "./test-server.js";

/** A backend opened for a spec and served over HTTP on a free port. */
export interface ServedBackend {
  url: string;
  data: DataInterface;
  storedEvents(): Promise<number>;
  close(): Promise<void>;
}

/** Opens `factory`'s backend (with `clock` as its server clock) and serves it. */
export async function openServed(
  factory: BackendFactory,
  options: { clock?: () => Micros; random?: RandomSource } = {},
): Promise<ServedBackend> {
  const backend = await factory.open(options.clock);
  const server = await serve(backend.data, options.random);
  return {
    url: server.url,
    data: backend.data,
    storedEvents: () => backend.storedEvents(),
    async close() {
      await server.close();
      await backend.close();
    },
  };
}

/** GET /dashboard/symbol/<symbol>, expecting a 200. */
export async function symbolDashboard(url: string, symbol: string): Promise<SymbolAggregate> {
  const { status, json } = await getJson<SymbolAggregate>(
    url,
    `/dashboard/symbol/${encodeURIComponent(symbol)}`,
  );
  expect(status, `GET /dashboard/symbol/${symbol}`).to.equal(200);
  return json;
}

/** GET /dashboard/range/<lower>/<upper>, expecting a 200. */
export async function rangeDashboard(
  url: string,
  lower: string,
  upper: string,
): Promise<SymbolAggregate[]> {
  const { status, json } = await getJson<SymbolAggregate[]>(url, rangePath(lower, upper));
  expect(status, `GET ${rangePath(lower, upper)}`).to.equal(200);
  return json;
}

/** SPEC's error shape: a 4xx, JSON, exactly `{"error": <non-empty text saying what is expected>}`. */
export function expectJsonError(reply: RawReply, status: number, mentions: RegExp) {
  expect(reply.status, reply.body).to.equal(status);
  expect(reply.headers["content-type"]).to.match(/^application\/json\b/);
  const body = JSON.parse(reply.body) as { error: unknown };
  expect(body).to.have.all.keys("error");
  expect(body.error).to.be.a("string").and.match(mentions);
  expect(String(body.error).trim()).to.not.equal("");
}

/** The format of every time in a response: `YYYY-MM-DD HH:MM:SS.ffffff`. */
export const RESPONSE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

/** A response time read back as microseconds since the epoch, UTC (independently of lib/). */
export function responseMicros(time: string): number {
  const [whole = "", fraction = ""] = time.split(".");
  return Date.parse(`${whole.replace(" ", "T")}Z`) * 1000 + Number(fraction.padEnd(6, "0"));
}

/** A range bound for `micros` in one of SPEC's sub-day forms, written independently of lib/. */
export function formatBound(micros: number, form: "space" | "iso" | "isoZ" | "seconds"): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000).padStart(6, "0");
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  switch (form) {
    case "space":
      return `${iso.replace("T", " ")}.${fraction}`;
    case "iso":
      return `${iso}.${fraction}`;
    case "isoZ":
      return `${iso}.${fraction}Z`;
    case "seconds":
      return iso.replace("T", " ");
  }
}
