import { randomUUID } from "node:crypto";
import http from "node:http";
import type { RandomSource } from "../model/random.js";
import { decidesToFollowUp } from "./followup-rule.js";
import type { LetterStream } from "./letter-stream.js";

export interface LoadOptions {
  baseUrl: string;
  /** Stop after this many sessions (initials)… */
  iterations?: number;
  /** …or after this many seconds, whichever comes first. */
  durationSeconds?: number;
  concurrency: number;
  letters: LetterStream;
  random: RandomSource;
  /** Called about once a second with the running totals. */
  onProgress?: (summary: LoadSummary) => void;
}

export interface LoadSummary {
  requests: number;
  initials: number;
  followups: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Initials and followups that were answered 200, by symbol: what the dashboards must show. */
  sentBySymbol: Record<string, { initials: number; followups: number }>;
  /** The first few error descriptions, to say what went wrong. */
  errorSamples: string[];
}

interface Reply {
  status: number;
  body: string;
}

/** One POST as the original client sends it; `timeoutMs` bounds the wait for its answer. */
export function post(agent: http.Agent, url: URL, timeoutMs?: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // Exactly the original client's request: parameters in the query string, an empty body.
    const request = http.request(url, { method: "POST", agent, headers: { "Content-Length": 0 } });
    if (timeoutMs !== undefined) {
      request.setTimeout(timeoutMs, () =>
        request.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      );
    }
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Plays the original client's loop from `concurrency` workers sharing one keep-alive pool:
 * a new uuid and the next letter each iteration, then a followup when the client feels like it.
 */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const started = performance.now();
  const deadline =
    options.durationSeconds === undefined ? Infinity : started + options.durationSeconds * 1000;
  const limit = options.iterations ?? Infinity;
  const latencies: number[] = [];
  const sentBySymbol: LoadSummary["sentBySymbol"] = {};
  const errorSamples: string[] = [];
  let begun = 0;
  let initials = 0;
  let followups = 0;
  let errors = 0;

  const summary = (): LoadSummary => {
    const seconds = (performance.now() - started) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    const requests = latencies.length;
    return {
      requests,
      initials,
      followups,
      errors,
      seconds,
      requestsPerSecond: seconds > 0 ? requests / seconds : 0,
      latencyMs: {
        p50: percentile(Array.from(sorted), 50),
        p99: percentile(Array.from(sorted), 99),
        max: sorted.length ? sorted[sorted.length - 1]! : 0,
      },
      sentBySymbol,
      errorSamples,
    };
  };

  const timed = async (url: URL, expected: (body: string) => boolean): Promise<Reply | null> => {
    const t0 = performance.now();
    try {
      const reply = await post(agent, url);
      latencies.push(performance.now() - t0);
      if (reply.status === 200 && expected(reply.body)) return reply;
      errors++;
      if (errorSamples.length < 5) errorSamples.push(`${reply.status} ${reply.body.slice(0, 200)}`);
    } catch (error) {
      latencies.push(performance.now() - t0);
      errors++;
      if (errorSamples.length < 5) errorSamples.push(String(error));
    }
    return null;
  };

  const worker = async () => {
    while (begun < limit && performance.now() < deadline) {
      begun++;
      const uuid = randomUUID();
      const symbol = options.letters();
      const tally = (sentBySymbol[symbol] ??= { initials: 0, followups: 0 });
      const initial = new URL(`/initial?uuid=${uuid}&symbol=${symbol}`, options.baseUrl);
      const reply = await timed(initial, (body) => body === "True" || body === "False");
      if (!reply) continue;
      initials++;
      tally.initials++;
      if (!decidesToFollowUp(symbol, reply.body === "True", options.random)) continue;
      const followup = new URL(`/followup?uuid=${uuid}`, options.baseUrl);
      if (await timed(followup, (body) => body === "hooray")) {
        followups++;
        tally.followups++;
      }
    }
  };

  const progress = options.onProgress
    ? setInterval(() => options.onProgress!(summary()), 1000)
    : undefined;
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    if (progress) clearInterval(progress);
    agent.destroy();
  }
  return summary();
}
