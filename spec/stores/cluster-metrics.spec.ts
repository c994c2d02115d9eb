import { randomUUID } from "node:crypto";
import http from "node:http";
import { expect } from "chai";
import { CLUSTER_METRICS_DEADLINES } from "../../lib/telemetry/cluster-metrics.js";
import { resetStores, testEnv } from "../support/graph-stores.js";
import { freePort, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { workerPids } from "../support/processes.js";
import { eventually } from "../support/services.js";
import { describeWithStores } from "../support/stores-available.js";

interface Reply {
  status: number;
  body: string;
  ms: number;
}

/**
 * One request on a connection of its own (`agent: false`), so that node:cluster hands each to
 * the next worker; or on `agent`'s connection. Null when no answer came within `timeoutMs`
 * (a connection given to a stopped worker).
 */
function send(
  url: string,
  method: string,
  path: string,
  options: { agent?: http.Agent; timeoutMs?: number } = {},
): Promise<Reply | null> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method, agent: options.agent ?? false });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, ms: Date.now() - started }));
    });
    req.setTimeout(options.timeoutMs ?? 15_000, () => {
      req.destroy();
      resolve(null);
    });
    req.on("error", reject);
    req.end();
  });
}

/** `n` sessions started with POST /initial, four at a time, each on a new connection. */
async function postInitials(url: string, n: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < n) {
        next++;
        const reply = await send(url, "POST", `/initial?uuid=${randomUUID()}&symbol=e`);
        expect(reply?.status, "POST /initial").to.equal(200);
      }
    }),
  );
}

/** The value of a sample in Prometheus text (`name{labels}` exactly as rendered), or null. */
function sample(body: string, series: string): number | null {
  const line = body.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

const INITIALS_200 = 'vowelgraph_http_requests_total{method="POST",route="/initial",status="200"}';

describeWithStores("graph backend: GET /metrics under WORKERS=2", () => {
  let server: ServerProcess;
  let main: number;

  /** The lines of the service's log (the workers' access logs among them). */
  const lines = () => server.output().split("\n");
  /** The POST /initial 200s a worker has logged (at LOG_LEVEL=debug each is, with its pid). */
  const servedBy = (pid: number) =>
    lines().filter((l) => l.includes(`"pid":${pid},`) && /"msg":"POST \/initial\?\S* 200"/.test(l))
      .length;
  /** What the workers alive now have served, by their own access logs. */
  const servedByLive = () => workerPids(main).reduce((sum, pid) => sum + servedBy(pid), 0);

  /** GET /metrics until both workers have answered one; every answer must count `expected`. */
  async function expectEveryWorkerCounts(expected: number) {
    const answeredBy = new Set<number>();
    for (let i = 0; i < 10 && answeredBy.size < 2; i++) {
      // The access log's line for this scrape, found by its query, names the worker.
      const scrape = randomUUID();
      const reply = (await send(server.url, "GET", `/metrics?scrape=${scrape}`))!;
      expect(reply.status).to.equal(200);
      expect(sample(reply.body, INITIALS_200), `scrape ${i}`).to.equal(expected);
      expect(sample(reply.body, "vowelgraph_cluster_workers_reporting")).to.equal(2);
      let line: string | undefined;
      await eventually(
        10,
        async () => (line = lines().find((l) => l.includes(scrape))) !== undefined,
      );
      answeredBy.add(Number(/"pid":(\d+)/.exec(line!)![1]));
    }
    expect(answeredBy.size, "workers that answered a scrape").to.equal(2);
  }

  before(async function () {
    this.timeout(120_000);
    await resetStores();
    // A fixed port, so that a restarted worker listens where the others do.
    const port = String(await freePort());
    server = await startServerProcess(testEnv({ WORKERS: "2", PORT: port, LOG_LEVEL: "debug" }));
    main = server.child.pid!;
    await eventually(60, async () => (server.output().match(/ of 2\)/g) ?? []).length === 2);
  });
  after(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
  });

  it("when two workers have served N requests, then /metrics counts N whichever answers; after one is SIGKILLed, the sum of what the live workers served", async function () {
    this.timeout(120_000);
    const N = 120;
    await postInitials(server.url, N);
    await eventually(10, async () => servedByLive() === N);
    const [first, second] = workerPids(main);
    expect(servedBy(first!), "the first worker's share").to.be.above(0);
    expect(servedBy(second!), "the second worker's share").to.be.above(0);
    await expectEveryWorkerCounts(N);

    // The dead worker's counts go with it: the service counts what the survivor served.
    const survivor = servedBy(second!);
    process.kill(first!, "SIGKILL");
    await eventually(60, async () => {
      const pids = workerPids(main);
      return pids.length === 2 && !pids.includes(first!);
    });
    const replacement = workerPids(main).find((pid) => pid !== second)!;
    await eventually(60, async () => server.output().includes(`worker ${replacement} of 2)`));
    await expectEveryWorkerCounts(survivor);
    const after = (await send(server.url, "GET", "/metrics"))!.body;
    expect(sample(after, "vowelgraph_cluster_worker_restarts_total")).to.equal(1);

    // New requests are all counted, on both workers.
    const M = 60;
    await postInitials(server.url, M);
    await eventually(10, async () => servedByLive() === survivor + M);
    expect(servedBy(replacement), "the replacement's share").to.be.above(0);
    await expectEveryWorkerCounts(survivor + M);
  });

  it("when a worker is stopped (SIGSTOP), then /metrics answers after the main process's deadline with the other's counts, saying one did not report", async function () {
    this.timeout(60_000);
    const [stopped, live] = workerPids(main);
    const expected = servedBy(live!);
    process.kill(stopped!, "SIGSTOP");
    try {
      // A connection handed to the stopped worker gets no answer: try the next one.
      let reply: Reply | null = null;
      for (let i = 0; i < 6 && reply === null; i++) {
        reply = await send(server.url, "GET", "/metrics", {
          timeoutMs: CLUSTER_METRICS_DEADLINES.askMs + 2000,
        });
      }
      expect(reply, "an answer from the live worker").to.not.equal(null);
      expect(reply!.status).to.equal(200);
      expect(reply!.ms, "answered after the main process's deadline").to.be.within(
        CLUSTER_METRICS_DEADLINES.collectMs - 100,
        CLUSTER_METRICS_DEADLINES.askMs,
      );
      expect(sample(reply!.body, "vowelgraph_cluster_workers")).to.equal(2);
      expect(sample(reply!.body, "vowelgraph_cluster_workers_reporting")).to.equal(1);
      expect(sample(reply!.body, INITIALS_200)).to.equal(expected);
    } finally {
      process.kill(stopped!, "SIGCONT");
    }
  });

  it("when the main process is stopped (SIGSTOP), then a worker's /metrics is a 503 saying so within the worker's deadline", async function () {
    this.timeout(60_000);
    // A connection a worker has already accepted: the stopped main process hands out no more.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await send(server.url, "GET", "/healthz", { agent }))!.status).to.equal(200);
      process.kill(main, "SIGSTOP");
      let reply: Reply | null;
      try {
        reply = await send(server.url, "GET", "/metrics", { agent });
      } finally {
        process.kill(main, "SIGCONT");
      }
      expect(reply!.status).to.equal(503);
      expect(reply!.ms).to.be.within(
        CLUSTER_METRICS_DEADLINES.askMs - 100,
        CLUSTER_METRICS_DEADLINES.askMs + 1000,
      );
      expect(JSON.parse(reply!.body)).to.deep.equal({
        error: `metrics unavailable: the main process did not return the workers' metrics within ${CLUSTER_METRICS_DEADLINES.askMs} ms`,
      });
      // Served again once the main process runs.
      await expectEveryWorkerCounts(servedByLive());
    } finally {
      agent.destroy();
    }
  });
});
