import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { RowDataPacket } from "mysql2/promise";
import { GraphDashboard } from "../../lib/reads/graph-dashboard.js";
import { CURRENT_LAG_SECONDS } from "../../lib/backend/graph-readiness.js";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import { verifyGraph } from "../../ops/verify.js";
import {
  Api,
  galera,
  HOSTS,
  hostDriver,
  hostPool,
  network,
  neo4jServer,
  TOPOLOGY_DIR,
  apiUrl,
  type Host,
} from "./hosts.js";
import { countWindow, sleep, TopologyLoad, type Kind, type WindowCounts } from "./load.js";

// Which hosts take POSTs (all three by default); dashboards are read on every host.
const WRITERS = (process.env.TOPOLOGY_WRITERS ?? "1 2 3").split(/\s+/).map(Number) as Host[];
const CLIENTS_PER_HOST = Number(process.env.TOPOLOGY_CLIENTS ?? 3);
const PAUSE_MS = Number(process.env.TOPOLOGY_PAUSE_MS ?? 20);
const FAULT_SECONDS = Number(process.env.TOPOLOGY_FAULT_SECONDS ?? 30);
const REPORT = process.env.TOPOLOGY_REPORT ?? `${TOPOLOGY_DIR}-report.json`;
/** After a fault's cause is gone, how long a host may take to answer again. */
const CATCH_UP_DEADLINE_MS = Number(process.env.TOPOLOGY_CATCH_UP_DEADLINE_MS ?? 180_000);
/** After the load stops, how long a graph may take to equal the log. */
const VERIFY_DEADLINE_MS = Number(process.env.TOPOLOGY_VERIFY_DEADLINE_MS ?? 60_000);
/**
 * A phase ends once every host has served this many more requests after the fault is healed
 * (POSTs on the writers, dashboards everywhere), so its figures include the healed cluster.
 */
const HEALED = { posts: 100, dashboards: 3 };

const KILLED: Host = 3;
const CUT: Host = 2;
const GRAPH_STOPPED: Host = 1;

interface Phase {
  name: string;
  from: number;
  to: number;
  notes: Record<string, number | string>;
}

describe("three hosts: the log on a Galera cluster, faults between them", function () {
  const apis = new Map(HOSTS.map((h) => [h, new Api(h)]));
  const load = new TopologyLoad(WRITERS, HOSTS, CLIENTS_PER_HOST, PAUSE_MS);
  const phases: Phase[] = [];
  const setup: Record<string, number> = {};
  const results: Record<string, unknown> = {};

  const phase = async (name: string, body: (notes: Phase["notes"]) => Promise<void>) => {
    const entry: Phase = { name, from: load.now(), to: 0, notes: {} };
    phases.push(entry);
    try {
      await body(entry.notes);
    } finally {
      entry.to = load.now();
    }
    return entry;
  };
  const counts = (p: Phase, host: Host, kinds: Kind[], from = p.from, to = p.to) =>
    countWindow(load.attempts, host, kinds, from, to);
  const posts: Kind[] = ["initial", "followup"];

  /** Waits until `host` answers a `kinds` request 200 begun after `since`; returns how long. */
  const untilAnswering = async (host: Host, since: number, kinds: Kind[] = ["dashboard"]) => {
    for (;;) {
      const ok = load.attempts.find(
        (a) => a.host === host && kinds.includes(a.kind) && a.at > since && a.status === 200,
      );
      if (ok) return Math.round(ok.at + ok.ms - since);
      if (load.now() - since > CATCH_UP_DEADLINE_MS) {
        throw new Error(
          `host ${host} answered no ${kinds.join("/")} 200 in ${CATCH_UP_DEADLINE_MS} ms`,
        );
      }
      await sleep(200); // the poll interval of this bounded wait
    }
  };
  /** Until every host of `hosts` has served `need` more requests begun after `since`. */
  const untilServedMore = async (since: number, hosts: readonly Host[] = HOSTS, need = HEALED) => {
    for (;;) {
      const now = load.now();
      const short = hosts.filter((h) => {
        const served = (kinds: Kind[]) => countWindow(load.attempts, h, kinds, since, now).served;
        return (
          (WRITERS.includes(h) && served(posts) < need.posts) ||
          served(["dashboard"]) < need.dashboards
        );
      });
      if (short.length === 0) return;
      if (load.now() - since > CATCH_UP_DEADLINE_MS) {
        throw new Error(
          `hosts ${short.join(", ")} served fewer than ${need.posts} POSTs / ` +
            `${need.dashboards} dashboards in the ${CATCH_UP_DEADLINE_MS} ms after ${Math.round(since)} ms`,
        );
      }
      await sleep(200); // the poll interval of this bounded wait
    }
  };
  /** When `host`'s graph was first seen current (its /readyz) after `since`, in ms from it. */
  const caughtUpAfter = (host: Host, since: number) => {
    const sample = load.readiness.find(
      (r) =>
        r.host === host &&
        r.at > since &&
        r.lagSeconds !== null &&
        r.lagSeconds <= CURRENT_LAG_SECONDS,
    );
    return sample ? Math.round(sample.at - since) : "never";
  };
  /** Until host answers both POSTs (if it takes them) and dashboards again. */
  const untilServing = async (host: Host, since: number, notes: Phase["notes"]) => {
    if (WRITERS.includes(host)) notes.postsAgainAfterMs = await untilAnswering(host, since, posts);
    notes.dashboardsAgainAfterMs = await untilAnswering(host, since);
  };

  before(async function () {
    this.timeout(900_000);
    let t = performance.now();
    await galera("wipe");
    await galera("start");
    setup.galeraStartMs = Math.round(performance.now() - t);
    t = performance.now();
    await Promise.all(HOSTS.map((h) => neo4jServer("start", h)));
    setup.neo4jStartMs = Math.round(performance.now() - t);
    t = performance.now();
    // The first API creates the log's tables; the others find them.
    await apis.get(1)!.start();
    await Promise.all([apis.get(2)!.start(), apis.get(3)!.start()]);
    setup.apiStartMs = Math.round(performance.now() - t);
  });

  after(async function () {
    this.timeout(300_000);
    await load.stop();
    const report = {
      setup,
      writers: WRITERS,
      clientsPerHost: CLIENTS_PER_HOST,
      phases: [] as unknown[],
      results,
    };
    for (const p of phases) {
      const byHost: Record<string, { posts: WindowCounts; dashboards: WindowCounts }> = {};
      for (const h of HOSTS) {
        byHost[`host${h}`] = {
          posts: counts(p, h, posts),
          dashboards: counts(p, h, ["dashboard"]),
        };
      }
      report.phases.push({ ...p, seconds: Math.round((p.to - p.from) / 100) / 10, byHost });
    }
    writeFileSync(
      REPORT,
      JSON.stringify(
        {
          ...report,
          samples: Object.fromEntries(load.samples),
          // Each host's graph lag as its /readyz said: [seconds into the run, events behind].
          lag: Object.fromEntries(
            HOSTS.map((h) => [
              `host${h}`,
              load.readiness
                .filter((r) => r.host === h)
                .map((r) => [Math.round(r.at / 1000), r.lagEvents]),
            ]),
          ),
        },
        null,
        2,
      ),
    );
    console.log(`topology report: ${REPORT}`);
    for (const p of report.phases as {
      name: string;
      seconds: number;
      notes: object;
      byHost: Record<string, { posts: WindowCounts; dashboards: WindowCounts }>;
    }[]) {
      console.log(`  ${p.name} (${p.seconds} s) ${JSON.stringify(p.notes)}`);
      for (const [host, c] of Object.entries(p.byHost)) {
        console.log(
          `    ${host}: POST served ${c.posts.served} failed ${c.posts.failed} retried ${c.posts.retried} ` +
            `hangs ${c.posts.hangs} slowest failure ${c.posts.slowestFailureMs} ms; ` +
            `dashboards served ${c.dashboards.served} failed ${c.dashboards.failed}`,
        );
      }
    }
    console.log(`  results ${JSON.stringify(results)}`);
    for (const [key, list] of load.samples) console.log(`  ${key}: ${list.join(" | ")}`);
    await Promise.all([...apis.values()].map((api) => api.stop("SIGKILL")));
  });

  it("serves through all three hosts", async () => {
    load.start();
    const p = await phase("baseline", () => sleep(15_000));
    for (const h of WRITERS) {
      const c = counts(p, h, posts);
      expect(c.served, `host ${h} POSTs`).to.be.greaterThan(0);
      expect(c.failed, `host ${h} POST failures`).to.equal(0);
    }
  });

  it(`keeps serving while host ${KILLED}'s MariaDB node and API are SIGKILLed, then rejoins`, async () => {
    const p = await phase(
      `host ${KILLED}: MariaDB node and API SIGKILLed, restarted`,
      async (notes) => {
        await Promise.all([apis.get(KILLED)!.stop("SIGKILL"), galera("kill", KILLED)]);
        // The fault lasts until the surviving hosts have served 150 POSTs each without it.
        await untilServedMore(
          load.now(),
          HOSTS.filter((h) => h !== KILLED),
          { posts: 150, dashboards: 3 },
        );
        const restartAt = load.now();
        const out = await galera("start", KILLED);
        notes.rejoinMs = Math.round(load.now() - restartAt);
        notes.rejoin = out.trim();
        const log = readFileSync(`${TOPOLOGY_DIR}/galera-${KILLED}/error.log`, "utf8");
        notes.rejoinedBy = /IST received/.test(log) ? "IST" : "SST";
        notes.apiRestartMs = Math.round(await apis.get(KILLED)!.start());
        await untilServing(KILLED, restartAt, notes);
        await untilServedMore(load.now());
        notes.graphCurrentAfterMs = caughtUpAfter(KILLED, restartAt);
      },
    );
    for (const h of HOSTS.filter((h) => h !== KILLED)) {
      if (WRITERS.includes(h))
        expect(counts(p, h, posts).served, `host ${h} POSTs`).to.be.greaterThan(0);
      expect(counts(p, h, ["dashboard"]).served, `host ${h} dashboards`).to.be.greaterThan(0);
      expect(counts(p, h, [...posts, "dashboard"]).hangs, `host ${h} hangs`).to.equal(0);
    }
  });

  it(`answers 503 fast on host ${CUT} while it is cut off for ${FAULT_SECONDS} s; the others keep serving`, async () => {
    let cutAt = 0;
    let healAt = 0;
    const p = await phase(`host ${CUT}: cut off ${FAULT_SECONDS} s, healed`, async (notes) => {
      cutAt = load.now();
      await network("cut", CUT);
      await sleep(FAULT_SECONDS * 1000);
      healAt = load.now();
      await network("heal", CUT);
      const t = performance.now();
      while ((await galera("status").catch((e: Error) => e.message)).includes("non-Primary")) {
        await sleep(500);
      }
      notes.resyncMs = Math.round(performance.now() - t);
      await untilServing(CUT, healAt, notes);
      await untilServedMore(load.now());
      notes.graphCurrentAfterMs = caughtUpAfter(CUT, healAt);
    });
    // Past the failure detector (evs.suspect_timeout, 3 s) the cut-off node refuses at once.
    const settled = counts(p, CUT, posts, cutAt + 10_000, healAt);
    p.notes.cutOffPostsAfter10s = `${settled.served} served, ${settled.failed} failed, slowest failure ${settled.slowestFailureMs} ms`;
    expect(counts(p, CUT, [...posts, "dashboard"]).hangs, `host ${CUT} hangs`).to.equal(0);
    if (WRITERS.includes(CUT)) {
      expect(settled.failed, "cut-off host's POSTs fail").to.be.greaterThan(0);
      expect(settled.slowestFailureMs, "and fast").to.be.lessThan(2000);
    }
    for (const h of HOSTS.filter((h) => h !== CUT)) {
      if (WRITERS.includes(h))
        expect(counts(p, h, posts).served, `host ${h} POSTs`).to.be.greaterThan(0);
      expect(counts(p, h, ["dashboard"]).served, `host ${h} dashboards`).to.be.greaterThan(0);
      expect(counts(p, h, [...posts, "dashboard"]).hangs, `host ${h} hangs`).to.equal(0);
    }
  });

  it(`keeps serving while host ${GRAPH_STOPPED}'s Neo4j server is stopped ${FAULT_SECONDS} s`, async () => {
    const p = await phase(
      `host ${GRAPH_STOPPED}: Neo4j stopped ${FAULT_SECONDS} s`,
      async (notes) => {
        await neo4jServer("stop", GRAPH_STOPPED);
        await sleep(FAULT_SECONDS * 1000);
        const restartAt = load.now();
        await neo4jServer("start", GRAPH_STOPPED);
        notes.neo4jStartMs = Math.round(load.now() - restartAt);
        notes.dashboardsAgainAfterMs = await untilAnswering(GRAPH_STOPPED, restartAt);
        await untilServedMore(load.now());
        notes.graphCurrentAfterMs = caughtUpAfter(GRAPH_STOPPED, restartAt);
      },
    );
    for (const h of HOSTS) {
      if (WRITERS.includes(h))
        expect(counts(p, h, posts).served, `host ${h} POSTs`).to.be.greaterThan(0);
      expect(counts(p, h, [...posts, "dashboard"]).hangs, `host ${h} hangs`).to.equal(0);
      if (h !== GRAPH_STOPPED) {
        expect(counts(p, h, ["dashboard"]).served, `host ${h} dashboards`).to.be.greaterThan(0);
      }
    }
  });

  it("shows a POST answered on one host in the next dashboard read on every other host, and takes the session's followup there", async () => {
    await load.stop();
    // With the load stopped, each pair is exact: z's count read on host b, an initial for z
    // POSTed to host a, then z's count read on b again at once must have grown by one.
    const count = async (host: Host) => {
      const reply = await fetch(`${apiUrl(host)}/dashboard/symbol/z`);
      expect(reply.status, `host ${host} dashboard`).to.equal(200);
      return ((await reply.json()) as { count: number }).count;
    };
    // The pairs start on a settled cluster: each host has applied the load's last write sets
    // and projected them (a causal read on a node still applying them waits, and after 5 s
    // answers 503, which is read-your-writes keeping its bound, not missing a write).
    for (const host of HOSTS) {
      const since = performance.now();
      while ((await fetch(`${apiUrl(host)}/dashboard/symbol/z`)).status !== 200) {
        if (performance.now() - since > CATCH_UP_DEADLINE_MS) {
          throw new Error(`host ${host} answered no dashboard in ${CATCH_UP_DEADLINE_MS} ms`);
        }
        await sleep(200); // the poll interval of this bounded wait
      }
    }
    let pairs = 0;
    const misses: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const a of HOSTS) {
        for (const b of HOSTS.filter((h) => h !== a)) {
          const before = await count(b);
          const uuid = randomUUID();
          const post = await fetch(`${apiUrl(a)}/initial?uuid=${uuid}&symbol=z`, {
            method: "POST",
          });
          expect(post.status, `host ${a} POST`).to.equal(200);
          load.acknowledged.set(uuid, "z");
          const after = await count(b);
          pairs++;
          if (after !== before + 1)
            misses.push(`POST on ${a}, read on ${b}: ${before} -> ${after}`);
          // The session's followup on b: the session rules there see the initial a logged.
          const followup = await fetch(`${apiUrl(b)}/followup?uuid=${uuid}`, { method: "POST" });
          if (followup.status !== 200)
            misses.push(`initial on ${a}, followup on ${b}: ${followup.status}`);
          else load.followups.set(uuid, { acked: 1, unknown: 0 });
        }
      }
    }
    results.readYourWritesAcrossHosts = {
      pairs,
      misses: misses.length,
      sample: misses.slice(0, 3),
    };
    expect(misses, "reads that missed a POST answered on another host").to.deep.equal([]);
  });

  it("lost no acknowledged event and counted none twice", async () => {
    const pool = hostPool(1);
    try {
      const [rows] = await pool.query<RowDataPacket[]>(
        "SELECT uuid, kind, MIN(symbol) AS symbol, COUNT(*) AS n FROM events GROUP BY uuid, kind",
      );
      const initials = new Map<string, { symbol: string; n: number }>();
      const followups = new Map<string, number>();
      for (const row of rows) {
        if (row.kind === "initial")
          initials.set(row.uuid, { symbol: row.symbol, n: Number(row.n) });
        else followups.set(row.uuid, Number(row.n));
      }
      const lost = [...load.acknowledged].filter(([uuid, s]) => initials.get(uuid)?.symbol !== s);
      const strangers = [...initials.keys()].filter(
        (uuid) => !load.acknowledged.has(uuid) && !load.unacknowledged.has(uuid),
      );
      let lostFollowups = 0;
      let extraFollowups = 0;
      for (const [uuid, tally] of load.followups) {
        const stored = followups.get(uuid) ?? 0;
        if (stored < tally.acked) lostFollowups += tally.acked - stored;
        if (stored > tally.acked + tally.unknown)
          extraFollowups += stored - tally.acked - tally.unknown;
      }
      const unknownStored = [...load.unacknowledged.keys()].filter((u) => initials.has(u)).length;
      const wrong = load.attempts.filter(
        (a) =>
          (a.kind === "followup" && a.status === 404) ||
          (a.kind === "initial" && a.status === 409) ||
          (a.status >= 500 && a.status !== 503),
      ).length;
      Object.assign(results, {
        logRows: [...initials.values()].length + [...followups.values()].reduce((a, b) => a + b, 0),
        acknowledgedInitials: load.acknowledged.size,
        acknowledgedFollowups: [...load.followups.values()].reduce((a, t) => a + t.acked, 0),
        unacknowledgedInitials: load.unacknowledged.size,
        unacknowledgedButStored: unknownStored,
        unknownFollowups: [...load.followups.values()].reduce((a, t) => a + t.unknown, 0),
        lostInitials: lost.length,
        lostFollowups,
        extraFollowups,
        strangers: strangers.length,
        wrongAnswers: wrong,
      });
      expect(lost.length, "acknowledged initials missing from the log").to.equal(0);
      expect(lostFollowups, "acknowledged followups missing").to.equal(0);
      expect(extraFollowups, "followups stored more often than sent").to.equal(0);
      expect(strangers.length, "sessions nobody sent").to.equal(0);
      expect(wrong, "wrong 404/409/500 answers").to.equal(0);
    } finally {
      await pool.end();
    }
  });

  for (const host of HOSTS) {
    it(`host ${host}'s Neo4j server equals SQL over the log`, async function () {
      this.timeout(VERIFY_DEADLINE_MS + 120_000);
      const pool = hostPool(host);
      const driver = hostDriver(host);
      const dashboard = new GraphDashboard(driver);
      // The graph as its readers see it, without a projection of the test's own.
      const graph = {
        pool,
        symbolAggregates: (s: string) => dashboard.symbolAggregates(s),
        rangeAggregates: (l: number, u: number) => dashboard.rangeAggregates(l, u),
      } as unknown as GraphBackend;
      const started = performance.now();
      try {
        let outcome = await verifyGraph(graph);
        while (outcome.differences.length > 0 && performance.now() - started < VERIFY_DEADLINE_MS) {
          await sleep(1000);
          outcome = await verifyGraph(graph);
        }
        results[`host${host}Verify`] = {
          questions: outcome.questions,
          differences: outcome.differences.length,
          catchUpMs: Math.round(performance.now() - started),
          sample: outcome.differences.slice(0, 2),
        };
        expect(outcome.differences, `host ${host}: differences from the log`).to.deep.equal([]);
      } finally {
        await Promise.all([pool.end(), driver.close()]);
      }
    });
  }
});
