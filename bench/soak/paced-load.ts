import { randomUUID } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decidesToFollowUp } from "../../lib/client/followup-rule.js";
import { frequencyLetterStream } from "../../lib/client/letter-stream.js";
import { post } from "../../lib/client/load-client.js";
import { seededRandom } from "../../lib/model/random.js";
import { latencyStats, type LatencyStats } from "./soak-stats.js";

/**
 * The client's mix at a steady rate, in a process of its own (so its CPU is not the soak's):
 * `node paced-load.js URL RATE SECONDS WINDOW_SECONDS SEED` starts sessions on a fixed schedule
 * (an open loop: a slow server does not slow the offered load), the original client's
 * requests and followup rule, and prints one JSON line per window.
 */

/** Followups per initial with the client's letters and rule (SPEC: about 0.143). */
const FOLLOWUPS_PER_INITIAL = 0.143;
/** Sessions waiting for an answer at most; beyond, a due session is dropped and counted. */
const MAX_IN_FLIGHT = 256;
/** A request not answered by then is an error. */
const ANSWER_TIMEOUT_MS = 30_000;

export interface WindowReport {
  window: number;
  requests: number;
  initials: number;
  followups: number;
  errors: number;
  /** Sessions not started because MAX_IN_FLIGHT were waiting: the server fell behind. */
  dropped: number;
  latency: LatencyStats;
  error_samples: string[];
}

async function main([baseUrl, rate, seconds, windowSeconds, seed]: string[]) {
  const random = seededRandom(Number(seed));
  const letters = frequencyLetterStream(random);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sessionsPerSecond = Number(rate) / (1 + FOLLOWUPS_PER_INITIAL);
  const started = performance.now();
  const end = started + Number(seconds) * 1000;
  const windowMs = Number(windowSeconds) * 1000;
  const fresh = (window: number) => ({
    window,
    latencies: [] as number[],
    initials: 0,
    followups: 0,
    errors: 0,
    dropped: 0,
    samples: [] as string[],
  });
  let current = fresh(1);
  let inFlight = 0;

  const timed = async (url: URL, ok: (body: string) => boolean) => {
    const window = current;
    const t0 = performance.now();
    try {
      const reply = await post(agent, url, ANSWER_TIMEOUT_MS);
      window.latencies.push(performance.now() - t0);
      if (reply.status === 200 && ok(reply.body)) return reply.body;
      window.errors++;
      if (window.samples.length < 5)
        window.samples.push(`${reply.status} ${reply.body.slice(0, 200)}`);
    } catch (error) {
      window.latencies.push(performance.now() - t0);
      window.errors++;
      if (window.samples.length < 5) window.samples.push(String(error));
    }
    return null;
  };
  const session = async () => {
    inFlight++;
    try {
      const uuid = randomUUID();
      const symbol = letters();
      const body = await timed(
        new URL(`/initial?uuid=${uuid}&symbol=${symbol}`, baseUrl),
        (b) => b === "True" || b === "False",
      );
      if (body === null) return;
      current.initials++;
      if (!decidesToFollowUp(symbol, body === "True", random)) return;
      if (
        (await timed(new URL(`/followup?uuid=${uuid}`, baseUrl), (b) => b === "hooray")) !== null
      ) {
        current.followups++;
      }
    } finally {
      inFlight--;
    }
  };
  const report = (window: ReturnType<typeof fresh>) => {
    const line: WindowReport = {
      window: window.window,
      requests: window.latencies.length,
      initials: window.initials,
      followups: window.followups,
      errors: window.errors,
      dropped: window.dropped,
      latency: latencyStats(window.latencies),
      error_samples: window.samples,
    };
    console.log(JSON.stringify(line));
  };

  let begun = 0;
  const pending = new Set<Promise<void>>();
  while (performance.now() < end) {
    const now = performance.now();
    const windowIndex = Math.floor((now - started) / windowMs) + 1;
    if (windowIndex !== current.window) {
      report(current);
      current = fresh(windowIndex);
    }
    const due = Math.floor(((now - started) / 1000) * sessionsPerSecond) - begun;
    for (let i = 0; i < due; i++) {
      begun++;
      if (inFlight >= MAX_IN_FLIGHT) {
        current.dropped++;
        continue;
      }
      const p = session();
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  report(current);
  agent.destroy();
}

const SELF = fileURLToPath(import.meta.url);
if (process.argv[1] && path.resolve(process.argv[1]) === SELF) await main(process.argv.slice(2));
