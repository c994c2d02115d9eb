import { expect } from "chai";
import { StoreUnavailableError } from "../../../lib/backend/data-errors.js";
import type { DataInterface } from "../../../lib/backend/data-interface.js";
import { textLetterStream } from "../../../lib/client/letter-stream.js";
import { seededRandom } from "../../../lib/model/random.js";
import { checkDashboards, runProbeLoop, tallyBySymbol, type ProbeRun } from "../../../ops/probe.js";
import { MemoryBackend } from "../../support/memory-backend.js";
import { serve, type TestServer } from "../../support/test-server.js";

/** The probe loop against the real app for `sessions` sessions, as fast as it goes. */
async function probe(url: string, sessions: number): Promise<ProbeRun> {
  const stop = new AbortController();
  const letters = textLetterStream("the quick brown fox jumps over the lazy dog");
  let drawn = 0;
  return runProbeLoop({
    baseUrl: url,
    letters: () => {
      if (++drawn >= sessions) stop.abort();
      return letters();
    },
    random: seededRandom(9),
    intervalMs: 1,
    dashboardEvery: 5,
    requestTimeoutMs: 5000,
    signal: stop.signal,
  });
}

describe("the probe loop (ops/probe.ts, the CI probe check)", () => {
  let server: TestServer | undefined;
  afterEach(() => server?.close());

  it("when the service answers everything, then no failure and the dashboards equal what it sent", async () => {
    const data = new MemoryBackend();
    server = await serve(data);
    const run = await probe(server.url, 25);
    expect(run.failureSamples).to.deep.equal([]);
    expect(run.failures).to.equal(0);
    expect(run.sessions).to.have.length(25);
    expect(run.dashboardReads).to.equal(5);
    const followups = run.sessions.reduce((n, s) => n + s.followups, 0);
    expect(data.events).to.have.length(25 + followups);
    const check = await checkDashboards(server.url, run, data, 1000);
    expect(check.differences).to.deep.equal([]);
    expect(check.equal).to.equal(true);
    // The letters it asked, in the text's order: "thequickbrownfoxjumpsover" has three o.
    expect(run.sessions.map((session) => session.symbol).join("")).to.equal(
      "thequickbrownfoxjumpsover",
    );
    expect(tallyBySymbol(run.sessions).get("o")?.initials).to.equal(3);
  });

  it("when the service fails a request, then it is a failure; when its dashboards miss an event, they differ", async () => {
    const data = new MemoryBackend();
    let initials = 0;
    const flaky: DataInterface = Object.assign(Object.create(data) as MemoryBackend, {
      logInitial: (...args: Parameters<MemoryBackend["logInitial"]>) => {
        if (++initials === 7) return Promise.reject(new StoreUnavailableError("MariaDB", "test"));
        return data.logInitial(...args);
      },
    });
    server = await serve(flaky);
    const run = await probe(server.url, 15);
    expect(run.failures).to.equal(1);
    expect(run.failureSamples[0]).to.match(/POST \/initial\?uuid=.*: 503/);
    expect(run.sessions).to.have.length(14);
    const lost = { ...run, sessions: [...run.sessions, { uuid: "x", symbol: "z", followups: 0 }] };
    const check = await checkDashboards(server.url, lost, data, 100);
    expect(check.equal).to.equal(false);
    expect(check.differences.join("\n")).to.match(/^range z: count \d+ followups \d+, sent/m);
  });
});
