import { expect } from "chai";
import type { Pool } from "mysql2/promise";
import {
  OutcomeUnknownError,
  SessionConflictError,
  StoreBusyError,
  StoreUnavailableError,
} from "../../../lib/backend/data-errors.js";
import { EventLog } from "../../../lib/log/event-log.js";
import type { Leases } from "../../../lib/log/leases.js";
import { SQL } from "../../../lib/stores/statements.js";

type Row = [number, number, string, string, string, boolean, string, string | null];

/**
 * A fake MariaDB for the group commit: it answers the log's statements from rows in memory,
 * keeps a transaction's rows until COMMIT, and fails on cue, as the real server can.
 */
class FakeLog {
  committed: Row[] = [];
  statements: string[] = [];
  /** Called before each statement runs; may throw a server error. */
  fault: (sql: string, params: unknown[]) => void = () => {};
  /** Lets a test hold a batch in flight: the next COMMIT waits for this promise. */
  gate: Promise<void> | null = null;
  /** The next COMMIT commits, then its reply is lost with the connection. */
  loseReply = false;

  pool(): Pool {
    const connection = () => {
      let staged: Row[] = [];
      return {
        query: async (options: { sql: string } | string, params: unknown[] = []) => {
          const sql = typeof options === "string" ? options : options.sql;
          this.statements.push(sql);
          this.fault(sql, params);
          if (sql === SQL.writerLastSeq) {
            const seqs = this.committed.filter((r) => r[0] === params[0]).map((r) => r[1]);
            return [[{ seq: Math.max(0, ...seqs) }]];
          }
          if (sql === SQL.findSessions) {
            const uuids = params[0] as string[];
            const rows = this.committed
              .filter((r) => r[2] === "initial" && uuids.includes(r[3]))
              .map((r) => ({ uuid: r[3], symbol: r[4], guess: r[5] ? 1 : 0, at_us: 0 }));
            return [rows];
          }
          if (sql === SQL.findRequestKeys) return [[]];
          if (sql === SQL.insertEvents) staged = params[0] as Row[];
          if (sql === "COMMIT") {
            if (this.gate) await this.gate;
            this.committed.push(...staged);
            if (this.loseReply) {
              this.loseReply = false;
              throw Object.assign(new Error("Connection lost"), {
                code: "PROTOCOL_CONNECTION_LOST",
                fatal: true,
              });
            }
          }
          return [[]];
        },
        release() {},
        destroy() {},
      };
    };
    return { getConnection: async () => connection() } as unknown as Pool;
  }
}

const leases = {
  takeFirstFree: async () => "writer:1",
  take: async () => true,
  release: async () => {},
} as unknown as Leases;

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("the event log's group commit (a fake MariaDB)", () => {
  let fake: FakeLog;
  let log: EventLog;
  const open = async (limits = { maxQueued: 100, deadlineMs: 10_000 }) => {
    log = new EventLog({ pool: fake.pool(), leases, limits });
    await log.open();
  };
  beforeEach(() => {
    fake = new FakeLog();
  });
  afterEach(() => log?.close());

  it("when requests arrive during a commit, then they share the next batch, seqs in order", async () => {
    await open();
    let release!: () => void;
    fake.gate = new Promise((resolve) => (release = resolve));
    const first = log.appendInitial(uuid(1), "a", true, 1);
    await new Promise((resolve) => setImmediate(resolve));
    const more = [2, 3, 4].map((n) => log.appendInitial(uuid(n), "e", false, n));
    fake.gate = null;
    release();
    await Promise.all([first, ...more]);
    expect(fake.statements.filter((s) => s === "COMMIT")).to.have.length(2);
    expect(fake.committed.map((r) => [r[0], r[1], r[3]])).to.deep.equal(
      [1, 2, 3, 4].map((n) => [1, n, uuid(n)]),
    );
  });

  it("when a batch conflicts with another writer, then the whole batch is retried and stored once", async () => {
    await open();
    let conflicts = 2;
    fake.fault = (sql) => {
      if (sql === SQL.insertEvents && conflicts-- > 0) {
        throw Object.assign(new Error("Duplicate entry"), { code: "ER_DUP_ENTRY" });
      }
    };
    expect(await log.appendInitial(uuid(1), "a", true, 1)).to.deep.equal({ guess: true });
    expect(fake.committed).to.have.length(1);
  });

  it("when COMMIT's reply is lost, then the batch is 503 with an unknown outcome, and the next batch continues the seq the log holds", async () => {
    await open();
    fake.loseReply = true;
    const lost = log.appendInitial(uuid(1), "a", true, 1);
    const error = await lost.catch((e: unknown) => e);
    expect(error).to.be.instanceOf(OutcomeUnknownError);
    expect(String(error)).to.match(/may have been stored/);
    await log.appendInitial(uuid(2), "e", false, 2);
    expect(fake.committed.map((r) => r[1])).to.deep.equal([1, 2]);
  });

  it("when one row fails a statement, then only its own request fails", async () => {
    await open();
    let release!: () => void;
    fake.gate = new Promise((resolve) => (release = resolve));
    const first = log.appendInitial(uuid(9), "a", true, 1);
    await new Promise((resolve) => setImmediate(resolve));
    fake.fault = (sql, params) => {
      const rows = (params[0] ?? []) as Row[];
      if (sql === SQL.insertEvents && rows.some((r) => r[3] === uuid(2))) {
        throw Object.assign(new Error("Data too long"), { code: "ER_DATA_TOO_LONG" });
      }
    };
    const batch = [1, 2, 3].map((n) => log.appendInitial(uuid(n), "e", true, n));
    fake.gate = null;
    release();
    await first;
    const results = await Promise.allSettled(batch);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
    expect(fake.committed.map((r) => r[3])).to.deep.equal([uuid(9), uuid(1), uuid(3)]);
  });

  it("when the queue is full, then a request is refused at once with Retry-After and nothing is written", async () => {
    await open({ maxQueued: 2, deadlineMs: 10_000 });
    let release!: () => void;
    fake.gate = new Promise((resolve) => (release = resolve));
    const inFlight = log.appendInitial(uuid(1), "a", true, 1);
    await new Promise((resolve) => setImmediate(resolve));
    const queued = [2, 3].map((n) => log.appendInitial(uuid(n), "a", true, n));
    const refused = await log.appendInitial(uuid(4), "a", true, 4).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(StoreBusyError);
    expect((refused as StoreBusyError).retryAfterSeconds).to.be.above(0);
    fake.gate = null;
    release();
    await Promise.all([inFlight, ...queued]);
    expect(fake.committed.map((r) => r[3])).to.not.include(uuid(4));
  });

  it("when a request waited past its deadline or its client left, then it is not written", async () => {
    await open({ maxQueued: 100, deadlineMs: 50 });
    let release!: () => void;
    fake.gate = new Promise((resolve) => (release = resolve));
    const inFlight = log.appendInitial(uuid(1), "a", true, 1);
    await new Promise((resolve) => setImmediate(resolve));
    const late = log.appendInitial(uuid(2), "a", true, 2);
    const gone = new AbortController();
    const left = log.appendInitial(uuid(3), "a", true, 3, { signal: gone.signal });
    gone.abort();
    const waited = Date.now();
    // The condition is the deadline itself: time must pass beyond it while the batch is held.
    while (Date.now() - waited < 60) await new Promise((resolve) => setTimeout(resolve, 10));
    fake.gate = null;
    release();
    await inFlight;
    for (const request of [late, left]) {
      expect(await request.catch((e: unknown) => e)).to.be.instanceOf(StoreUnavailableError);
    }
    expect(fake.committed.map((r) => r[3])).to.deep.equal([uuid(1)]);
  });

  it("when the same uuid comes with another symbol in one batch, then it is a conflict and stored once", async () => {
    await open();
    const [a, b] = await Promise.allSettled([
      log.appendInitial(uuid(1), "a", true, 1),
      log.appendInitial(uuid(1), "b", true, 2),
    ]);
    expect(a.status).to.equal("fulfilled");
    expect((b as PromiseRejectedResult).reason).to.be.instanceOf(SessionConflictError);
    expect(fake.committed).to.have.length(1);
  });
});
