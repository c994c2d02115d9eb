import { randomUUID } from "node:crypto";
import http from "node:http";
import { expect } from "chai";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { MICROS_PER_DAY, parseTimestamp } from "../../lib/model/timestamp.js";
import type { LogTruth } from "../../ops/log-truth.js";
import { eventually } from "./services.js";
import { getJson } from "./test-server.js";

export interface Acknowledged {
  initials: Set<string>;
  followups: Map<string, number>;
  /** Requests sent and not yet answered, now. */
  inFlight: number;
}

/** Acknowledged initials the load must have before the server is stopped: it is under way. */
export const UNDER_LOAD = 200;

/**
 * Posts sessions from `workers` loops until `stop()` is true; `acked` records every 200 as it
 * comes, `done` resolves when the loops have stopped.
 */
export function postUntil(url: string, workers: number, stop: () => boolean) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const acked: Acknowledged = { initials: new Set(), followups: new Map(), inFlight: 0 };
  const post = (path: string) =>
    new Promise<number>((resolve) => {
      acked.inFlight++;
      const answered = (status: number) => {
        acked.inFlight--;
        resolve(status);
      };
      const req = http.request(new URL(path, url), { method: "POST", agent }, (res) => {
        res.resume();
        res.on("end", () => answered(res.statusCode ?? 0));
      });
      req.on("error", () => answered(0));
      // A connection handed to a worker that was killed at that moment may never answer.
      req.setTimeout(15_000, () => req.destroy());
      req.end();
    });
  const done = Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; !stop(); i++) {
        const uuid = randomUUID();
        if ((await post(`/initial?uuid=${uuid}&symbol=${SYMBOLS[(w + i) % 26]}`)) !== 200) continue;
        acked.initials.add(uuid);
        if (i % 3 === 0 && (await post(`/followup?uuid=${uuid}`)) === 200) {
          acked.followups.set(uuid, (acked.followups.get(uuid) ?? 0) + 1);
        }
      }
    }),
  ).then(() => {
    agent.destroy();
    return acked;
  });
  return { acked, done };
}

/** Waits until the load has had UNDER_LOAD initials acknowledged and has requests in flight. */
export async function untilUnderLoad(acked: Acknowledged) {
  await eventually(60, async () => acked.initials.size >= UNDER_LOAD && acked.inFlight > 0);
}

/** Every symbol and every day's range from the service, against SQL over the raw log. */
export async function expectDashboardsEqualLog(url: string, truth: LogTruth) {
  const symbols = await Promise.all(
    SYMBOLS.map(async (s) => (await getJson(url, `/dashboard/symbol/${s}`)).json),
  );
  expect(symbols).to.deep.equal(await truth.symbolAggregates());
  for (const [day, expected] of await truth.dailyAggregates()) {
    const lower = parseTimestamp(day)!;
    const upper = new Date((lower + MICROS_PER_DAY) / 1000).toISOString().slice(0, 10);
    expect((await getJson(url, `/dashboard/range/${day}/${upper}`)).json, day).to.deep.equal(
      expected,
    );
  }
}

/** Every acknowledged initial and followup is in MariaDB. */
export async function expectAcknowledgedStored(pool: Pool, acked: Acknowledged) {
  const [initialRows] = await pool.query<RowDataPacket[]>(
    "SELECT uuid FROM events WHERE kind = 'initial'",
  );
  const stored = new Set(initialRows.map((r) => r.uuid as string));
  const lost = [...acked.initials].filter((uuid) => !stored.has(uuid));
  expect(lost, "acknowledged initials missing from MariaDB").to.deep.equal([]);
  const [followupRows] = await pool.query<RowDataPacket[]>(
    "SELECT uuid, COUNT(*) AS n FROM events WHERE kind = 'followup' GROUP BY uuid",
  );
  const storedFollowups = new Map(followupRows.map((r) => [r.uuid as string, Number(r.n)]));
  for (const [uuid, count] of acked.followups) {
    expect(storedFollowups.get(uuid) ?? 0, `followups of ${uuid}`).to.be.at.least(count);
  }
}
