import { expect } from "chai";
import { capacityFrom, parseSoakArgs, SoakUsageError } from "../../../bench/soak/soak-settings.js";
import {
  checkPasses,
  latencyStats,
  soakChecks,
  type MinuteRow,
} from "../../../bench/soak/soak-stats.js";
import { soakTable } from "../../../bench/soak/soak-report.js";

const bench = {
  ingest: [
    { backend: "graph", workers: 1, generator: "wrk", concurrency: 64, rps: 2300 },
    { backend: "graph", workers: null, generator: "node", concurrency: 64, rps: 2332 },
    { backend: "graph", workers: null, generator: "wrk", concurrency: 64, rps: 2752.2 },
  ],
};

/** A minute of a steady soak, with what a test changes. */
function minute(n: number, change: Partial<MinuteRow> = {}): MinuteRow {
  return {
    minute: n,
    ingest: { count: 60_000, p50_ms: 2, p99_ms: 20 },
    reads: { count: 3000, p50_ms: 5, p99_ms: 40 },
    errors: { ingest: 0, dropped: 0, reads: 0, readyz: 0 },
    lag: { events: 3, seconds: 0.01 },
    rss_mb: { api: 200, mariadb: 400, neo4j: 1000 },
    disk_mb: { mariadb: 10 * n, neo4j: 20 * n },
    ...change,
  };
}

describe("the soak (bench/soak/)", () => {
  describe("its settings", () => {
    it("when no rate is given, then it is half the graph backend's c64 wrk rate of the last bench", () => {
      expect(capacityFrom(bench)).to.equal(2752.2);
      const settings = parseSoakArgs(["--minutes", "60"], () => bench);
      expect(settings).to.include({ minutes: 60, rate: 1376, warmupMinutes: 10 });
    });

    it("when the run is short, then the warm-up is at most half of it", () => {
      expect(parseSoakArgs(["--minutes", "2", "--rate", "500"], () => bench)).to.include({
        rate: 500,
        warmupMinutes: 1,
      });
    });

    it("when there is no bench result and no --rate, then it says what to do", () => {
      expect(() => parseSoakArgs(["--minutes", "5"], () => ({}))).to.throw(
        SoakUsageError,
        /npm run bench.*--rate/,
      );
      expect(() => parseSoakArgs(["--minutes", "1"], () => bench)).to.throw(
        SoakUsageError,
        /--minutes/,
      );
      expect(() => parseSoakArgs(["--minutes", "5", "--rate", "-3"], () => bench)).to.throw(
        SoakUsageError,
        /--rate/,
      );
    });
  });

  describe("its checks", () => {
    const steady = Array.from({ length: 20 }, (_, i) => minute(i + 1));

    it("when memory, latency and errors hold steady, then every check is met", () => {
      const checks = soakChecks(steady, 10);
      expect(checks.map((c) => c.name)).to.deep.equal([
        "RSS api after warm-up",
        "RSS mariadb after warm-up",
        "RSS neo4j after warm-up",
        "ingest p99 steady",
        "reads p99 steady",
        "no errors",
      ]);
      expect(checks.every((c) => c.met)).to.equal(true);
    });

    it("when a process grows by more than 10 % after the warm-up, then its RSS check is missed", () => {
      const rows = [
        ...steady.slice(0, 19),
        minute(20, { rss_mb: { api: 221, mariadb: 400, neo4j: 1000 } }),
      ];
      const missed = soakChecks(rows, 10).filter((c) => !c.met);
      expect(missed.map((c) => c.name)).to.deep.equal(["RSS api after warm-up"]);
      expect(missed[0]!.detail).to.match(/200 MiB at minute 10 → 221 MiB at minute 20 \(10\.5 %/);
    });

    it("when a later minute's p99 passes twice the first ten minutes', then the latency check is missed", () => {
      const rows = [
        ...steady.slice(0, 14),
        minute(15, { ingest: { count: 60_000, p50_ms: 2, p99_ms: 41 } }),
        ...steady.slice(15),
      ];
      const missed = soakChecks(rows, 10).filter((c) => !c.met);
      expect(missed.map((c) => c.name)).to.deep.equal(["ingest p99 steady"]);
      expect(missed[0]!.detail).to.match(/worst 41 ms \(minute 15\) vs 20 ms/);
    });

    it("when any request failed, then the errors check is missed", () => {
      const rows = [
        ...steady.slice(0, 19),
        minute(20, { errors: { ingest: 0, dropped: 0, reads: 0, readyz: 1 } }),
      ];
      expect(soakChecks(rows, 10).find((c) => c.name === "no errors")!.met).to.equal(false);
    });

    it("when a smoke run only dropped sessions in its cold first minute, then it passes, the drops reported; a failed request fails it", () => {
      const rows = [
        minute(1, { errors: { ingest: 0, dropped: 500, reads: 0, readyz: 0 } }),
        ...steady.slice(1, 2),
      ];
      const checks = soakChecks(rows, 1, { smoke: true });
      expect(checks.every(checkPasses)).to.equal(true);
      const errors = checks.find((c) => c.name === "no errors")!;
      expect([errors.met, errors.judged]).to.deep.equal([false, false]);
      const failed = [
        rows[0]!,
        minute(2, { errors: { ingest: 0, dropped: 0, reads: 1, readyz: 0 } }),
      ];
      const missed = soakChecks(failed, 1, { smoke: true }).filter((c) => !checkPasses(c));
      expect(missed.map((c) => c.name)).to.deep.equal([
        "no failed request (ingest, reads, /readyz)",
      ]);
      expect(soakChecks(rows, 1).every(checkPasses), "the same rows outside a smoke run").to.equal(
        false,
      );
    });

    it("when latencies are summarised, then p50 and p99 come from the sorted samples", () => {
      const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
      expect(latencyStats(samples)).to.deep.equal({ count: 100, p50_ms: 51, p99_ms: 100 });
    });

    it("when the table is written, then each minute is one row", () => {
      const table = soakTable(steady.slice(0, 2)).split("\n");
      expect(table).to.have.length(4);
      expect(table[2]).to.equal(
        "| 1 | 1000 | 2.0 / 20.0 | 50 | 5.0 / 40.0 | 0 | 3 / 0.01 | 200 / 400 / 1000 | 10 / 20 |",
      );
    });
  });
});
