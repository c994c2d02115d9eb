import { randomUUID } from "node:crypto";
import http from "node:http";
import { decidesToFollowUp } from "../../lib/client/followup-rule.js";
import { frequencyLetterStream } from "../../lib/client/letter-stream.js";
import { seededRandom } from "../../lib/model/random.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { apiUrl, type Host } from "./hosts.js";

/** A request that outlives this is a hang (the service promises 503 within its 5 s bounds). */
export const HANG_MS = 15_000;
/** An initial answered 503 (or cut off) is retried this many times: SPEC's retry rule. */
const INITIAL_RETRIES = 2;
const RETRY_PAUSE_MS = 250;

export type Kind = "initial" | "followup" | "dashboard";

export interface Attempt {
  host: Host;
  kind: Kind;
  /** ms since the load began */
  at: number;
  ms: number;
  /** 0: no HTTP answer (connection refused or reset, or a hang cut at HANG_MS) */
  status: number;
  retry: boolean;
}

interface Reply {
  status: number;
  body: string;
}

function request(agent: http.Agent, method: string, url: string): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.request(url, {
      method,
      agent,
      timeout: HANG_MS,
      headers: method === "POST" ? { "Content-Length": 0 } : {},
    });
    req.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", () => resolve({ status: 0, body: "" }));
    });
    req.on("timeout", () => req.destroy(new Error("hang")));
    req.on("error", () => resolve({ status: 0, body: "" }));
    req.end();
  });
}

/**
 * The original client's loop (POST /initial in the query string, then a followup when it
 * feels like it) through every host at once, keeping what the log must hold afterwards: each
 * session acknowledged, and per session the followups acknowledged and those whose outcome the
 * client cannot know (503, no answer). Dashboards are read once a second per host meanwhile.
 */
export class TopologyLoad {
  readonly attempts: Attempt[] = [];
  /** Sessions whose initial was answered 200, with their symbol. */
  readonly acknowledged = new Map<string, string>();
  /** Sessions sent but never acknowledged: each may or may not be in the log. */
  readonly unacknowledged = new Map<string, string>();
  /** Per session: followups answered 200, and those that may have been stored. */
  readonly followups = new Map<string, { acked: number; unknown: number }>();
  /** Each host's /readyz, read after each of its dashboard reads. */
  readonly readiness: ReadinessSample[] = [];
  /** Per (host, kind, status) other than 200, its distinct answers: what went wrong. */
  readonly samples = new Map<string, string[]>();
  private readonly started = performance.now();
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly writers: readonly Host[],
    private readonly readers: readonly Host[],
    private readonly perHost: number,
    private readonly pauseMs: number,
  ) {}

  now() {
    return performance.now() - this.started;
  }

  start() {
    let seed = 1;
    for (const host of this.writers) {
      for (let i = 0; i < this.perHost; i++) this.running.push(this.client(host, seed++));
    }
    for (const host of this.readers) this.running.push(this.reader(host));
  }

  async stop() {
    this.stopping = true;
    await Promise.all(this.running);
    for (const agent of this.agents.values()) agent.destroy();
  }

  private async timed(host: Host, kind: Kind, method: string, url: string, retry = false) {
    const at = this.now();
    const reply = await request(this.agentFor(host, method), method, url);
    this.attempts.push({ host, kind, at, ms: this.now() - at, status: reply.status, retry });
    if (reply.status !== 200) {
      // Each distinct reason (numbers aside) once, with when it was first seen.
      const key = `host${host} ${kind} ${reply.status}`;
      const reason = reply.body.slice(0, 160);
      const shape = reason.replace(/[0-9]+/g, "#");
      const seen = this.samples.get(key) ?? [];
      if (seen.length < 6 && !seen.some((s) => s.replace(/[0-9]+/g, "#").endsWith(shape))) {
        seen.push(`${Math.round(at / 1000)}s ${reason}`);
      }
      this.samples.set(key, seen);
    }
    return reply;
  }

  private agents = new Map<string, http.Agent>();
  private agentFor(host: Host, method: string) {
    const key = `${host}${method}`;
    if (!this.agents.has(key)) this.agents.set(key, new http.Agent({ keepAlive: true }));
    return this.agents.get(key)!;
  }

  private async client(host: Host, seed: number) {
    const random = seededRandom(seed * 7919 + host);
    const letters = frequencyLetterStream(random);
    while (!this.stopping) {
      const uuid = randomUUID();
      const symbol = letters();
      let reply: Reply | null = null;
      for (let attempt = 0; attempt <= INITIAL_RETRIES; attempt++) {
        if (attempt > 0) await sleep(RETRY_PAUSE_MS);
        const url = `${apiUrl(host)}/initial?uuid=${uuid}&symbol=${symbol}`;
        const r = await this.timed(host, "initial", "POST", url, attempt > 0);
        if (r.status === 200) {
          reply = r;
          break;
        }
        if (r.status !== 503 && r.status !== 0) break; // a 4xx/5xx here is a bug: counted as failed
        if (this.stopping) break;
      }
      if (!reply) {
        this.unacknowledged.set(uuid, symbol);
        await sleep(RETRY_PAUSE_MS);
        continue;
      }
      this.acknowledged.set(uuid, symbol);
      if (decidesToFollowUp(symbol, reply.body === "True", random)) {
        const tally = { acked: 0, unknown: 0 };
        this.followups.set(uuid, tally);
        const r = await this.timed(
          host,
          "followup",
          "POST",
          `${apiUrl(host)}/followup?uuid=${uuid}`,
        );
        // Without an Idempotency-Key a followup is never retried: every stored one counts.
        if (r.status === 200) tally.acked++;
        else if (r.status === 503 || r.status === 0) tally.unknown++;
      }
      if (this.pauseMs > 0) await sleep(this.pauseMs);
    }
  }

  private async readReadiness(host: Host) {
    const at = this.now();
    const reply = await request(this.agentFor(host, "GET"), "GET", `${apiUrl(host)}/readyz`);
    let lag: { lagEvents: number | null; lagSeconds: number | null } | undefined;
    try {
      lag = (JSON.parse(reply.body) as { neo4j?: { lagEvents: number; lagSeconds: number }[] })
        .neo4j?.[0];
    } catch {
      lag = undefined; // no answer, or not JSON: the host could not say
    }
    this.readiness.push({
      host,
      at,
      lagEvents: lag?.lagEvents ?? null,
      lagSeconds: lag?.lagSeconds ?? null,
    });
  }

  private async reader(host: Host) {
    let i = 0;
    while (!this.stopping) {
      const symbol = SYMBOLS[i++ % SYMBOLS.length]!;
      await this.timed(host, "dashboard", "GET", `${apiUrl(host)}/dashboard/symbol/${symbol}`);
      await this.readReadiness(host);
      await sleep(1000);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One look at a host's GET /readyz: how far its own graph is behind the log. */
export interface ReadinessSample {
  host: Host;
  at: number;
  /** null: the host did not answer, or its graph could not say */
  lagEvents: number | null;
  lagSeconds: number | null;
}

export interface WindowCounts {
  served: number;
  failed: number;
  retried: number;
  hangs: number;
  /** slowest failure, ms: how fast a host that cannot serve says so */
  slowestFailureMs: number;
  slowestMs: number;
}

/** Counts attempts of `kind`s on `host` that began in [from, to). */
export function countWindow(
  attempts: readonly Attempt[],
  host: Host,
  kinds: readonly Kind[],
  from: number,
  to: number,
): WindowCounts {
  const counts: WindowCounts = {
    served: 0,
    failed: 0,
    retried: 0,
    hangs: 0,
    slowestFailureMs: 0,
    slowestMs: 0,
  };
  for (const a of attempts) {
    if (a.host !== host || !kinds.includes(a.kind) || a.at < from || a.at >= to) continue;
    const ok = a.status === 200 || a.status === 404 || a.status === 409;
    if (ok) counts.served++;
    else counts.failed++;
    if (a.retry) counts.retried++;
    if (a.ms >= HANG_MS - 100) counts.hangs++;
    if (!ok) counts.slowestFailureMs = Math.max(counts.slowestFailureMs, a.ms);
    counts.slowestMs = Math.max(counts.slowestMs, a.ms);
  }
  counts.slowestFailureMs = Math.round(counts.slowestFailureMs);
  counts.slowestMs = Math.round(counts.slowestMs);
  return counts;
}
