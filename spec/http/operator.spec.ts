import { Writable } from "node:stream";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { createApp } from "../../lib/app.js";
import { NullBackend } from "../../lib/baselines/null-backend.js";
import { openGraphBackend, type GraphBackend } from "../../lib/backend/graph-backend.js";
import { createLogger, type LogLevel } from "../../lib/telemetry/logger.js";
import { PrometheusTelemetry } from "../../lib/telemetry/prometheus-telemetry.js";
import { eventually } from "../support/services.js";
import { resetStores, testConfig, untilGraphCurrent } from "../support/graph-stores.js";
import { describeWithStores } from "../support/stores-available.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { getJson, request, serve, type TestServer } from "../support/test-server.js";

const initialPath = (symbol = "e") =>
  `/initial?${new URLSearchParams({ uuid: randomUUID(), symbol })}`;

/** A metric's value from Prometheus text, by its name and labels as printed. */
function metric(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("operator endpoints (null backend)", () => {
  let server: TestServer;
  before(async () => (server = await serve(new NullBackend())));
  after(() => server.close());

  it("when /healthz is asked, then 200 alive", async () => {
    const { status, json } = await getJson<{ alive: boolean }>(server.url, "/healthz");
    expect(status).to.equal(200);
    expect(json.alive).to.equal(true);
  });

  it("when the page is asked for at /, /dashboard and /dashboard/, then each is the HTML page, and its assets are served", async () => {
    for (const path of ["/", "/dashboard", "/dashboard/"]) {
      const reply = await request(server.url, "GET", path);
      expect(reply.status, path).to.equal(200);
      expect(reply.headers["content-type"], path).to.match(/^text\/html/);
      expect(reply.body).to.include('<table id="letters">');
    }
    for (const path of [
      "/dashboard/assets/dashboard.js",
      "/dashboard/assets/dashboard.css",
      "/dashboard/vendor/chart.umd.min.js",
    ]) {
      expect((await request(server.url, "GET", path)).status, path).to.equal(200);
    }
  });

  it("when /readyz is asked of a backend without stores, then 200 ready", async () => {
    const { status, json } = await getJson(server.url, "/readyz");
    expect(status).to.equal(200);
    expect(json).to.deep.equal({ ready: true, missing: [] });
  });

  it("when requests were answered, then /metrics counts them by route template and status, with latency histograms", async () => {
    for (let i = 0; i < 3; i++) await request(server.url, "POST", initialPath());
    await request(server.url, "POST", "/initial?uuid=nope&symbol=e");
    await request(server.url, "GET", "/dashboard/range/2026-01-01/2026-01-02");
    await request(server.url, "GET", "/no/such/thing");
    const reply = await request(server.url, "GET", "/metrics");
    expect(reply.status).to.equal(200);
    expect(reply.headers["content-type"]).to.match(/^text\/plain; version=0\.0\.4/);
    const text = reply.body;
    const requests = (route: string, status: number, method = "POST") =>
      metric(
        text,
        `vowelgraph_http_requests_total{method="${method}",route="${route}",status="${status}"}`,
      );
    expect(requests("/initial", 200)).to.equal(3);
    expect(requests("/initial", 400)).to.equal(1);
    expect(requests("/dashboard/range/:lower/:upper", 200, "GET")).to.equal(1);
    expect(requests("unmatched", 404, "GET")).to.equal(1);
    expect(
      metric(
        text,
        'vowelgraph_http_request_duration_seconds_count{method="POST",route="/initial",status="200"}',
      ),
    ).to.equal(3);
    for (const name of [
      "vowelgraph_log_batch_events",
      "vowelgraph_log_commit_duration_seconds",
      "vowelgraph_projection_apply_duration_seconds",
      "vowelgraph_projection_lag_events",
      "vowelgraph_projection_lag_seconds",
      "vowelgraph_store_errors_total",
      "vowelgraph_readers_waiting",
    ]) {
      expect(text, name).to.include(`# TYPE ${name} `);
    }
  });
});

describe("the access log", () => {
  /** An app over the null backend whose log lines are collected. */
  async function logged(level: LogLevel, paths: [string, string][]) {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    const app = createApp(new NullBackend(), Math.random, {
      logger: createLogger(level, sink),
      telemetry: new PrometheusTelemetry({ processMetrics: false }),
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const [method, path] of paths) await request(url, method, path);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    return lines.map((line) => line.msg);
  }

  const requests: [string, string][] = [
    ["POST", "/initial?uuid=0f8fad5b-d9cb-469f-a165-70867728950e&symbol=e"],
    ["POST", "/initial?uuid=bad&symbol=e"],
    ["GET", "/dashboard/symbol/e"],
  ];

  it("when the level is info, then every request but the ingest POSTs that succeed is a JSON line", async () => {
    expect(await logged("info", requests)).to.deep.equal([
      "POST /initial?uuid=bad&symbol=e 400",
      "GET /dashboard/symbol/e 200",
    ]);
  });

  it("when the level is debug, then every request is", async () => {
    expect(await logged("debug", requests)).to.deep.equal([
      "POST /initial?uuid=0f8fad5b-d9cb-469f-a165-70867728950e&symbol=e 200",
      "POST /initial?uuid=bad&symbol=e 400",
      "GET /dashboard/symbol/e 200",
    ]);
  });

  it("when the level is warn, then none is", async () => {
    expect(await logged("warn", requests)).to.deep.equal([]);
  });
});

interface GraphReadinessReply {
  ready: boolean;
  missing: string[];
  mariadb: { reachable: boolean; events: number };
  projection: { lagEvents: number | null; lagSeconds: number | null };
  neo4j: { server: string; reachable: boolean; current: boolean; lagEvents: number | null }[];
}

describeWithStores("operator endpoints on the real stores (graph backend)", () => {
  let proxy: TcpProxy;
  let backend: GraphBackend;
  let server: TestServer;
  let neo4jUri: string;

  before(async () => {
    const config = testConfig();
    const target = new URL(config.neo4j.uri);
    // Neo4j behind a proxy, so that "Neo4j stopped" is the proxy cut, not a shared server.
    proxy = await new TcpProxy(target.hostname, Number(target.port)).open();
    neo4jUri = `bolt://127.0.0.1:${proxy.port}`;
    await resetStores();
    backend = await openGraphBackend({
      ...config,
      neo4j: { ...config.neo4j, uri: neo4jUri, uris: [neo4jUri] },
    });
    server = await serve(backend);
  });

  after(async () => {
    await server?.close();
    await backend?.close();
    await proxy?.close();
  });

  it("when both stores are up and the graph is current, then /readyz is 200 with no lag", async () => {
    for (let i = 0; i < 20; i++) await request(server.url, "POST", initialPath("a"));
    // A cold Neo4j may take longer than a dashboard read waits: the test waits for the graph.
    await untilGraphCurrent(backend);
    const { status, json } = await getJson<GraphReadinessReply>(server.url, "/readyz");
    expect(status, JSON.stringify(json)).to.equal(200);
    expect(json.ready).to.equal(true);
    expect(json.missing).to.deep.equal([]);
    expect(json.mariadb.reachable).to.equal(true);
    expect(json.mariadb.events).to.be.at.least(20);
    expect(json.projection).to.deep.equal({ lagEvents: 0, lagSeconds: 0 });
    expect(json.neo4j).to.have.length(1);
    expect(json.neo4j[0]).to.deep.include({ server: neo4jUri, reachable: true, current: true });
    expect(json.neo4j[0]!.lagEvents).to.equal(0);
  });

  it("when Neo4j stops, then /readyz is 503 naming it, /metrics is still served and counts the store errors", async () => {
    await proxy.cut();
    try {
      const { status, json } = await getJson<GraphReadinessReply>(server.url, "/readyz");
      expect(status, JSON.stringify(json)).to.equal(503);
      expect(json.ready).to.equal(false);
      expect(json.mariadb.reachable).to.equal(true);
      expect(json.neo4j[0]).to.deep.include({ server: neo4jUri, reachable: false, current: false });
      expect(json.missing).to.have.length(1);
      expect(json.missing[0]).to.match(new RegExp(`^Neo4j ${neo4jUri}: unreachable`));

      // Writes still go to the log; the dashboards say Neo4j is missing.
      expect((await request(server.url, "POST", initialPath("b"))).status).to.equal(200);
      const dashboard = await request(server.url, "GET", "/dashboard/symbol/b");
      expect(dashboard.status).to.equal(503);
      expect(dashboard.body).to.match(/Neo4j is unavailable/);

      const metrics = await request(server.url, "GET", "/metrics");
      expect(metrics.status).to.equal(200);
      expect(
        metric(metrics.body, 'vowelgraph_store_errors_total{store="Neo4j",kind="unavailable"}'),
      ).to.be.at.least(1);
      expect(
        metric(
          metrics.body,
          'vowelgraph_http_requests_total{method="GET",route="/readyz",status="503"}',
        ),
      ).to.equal(1);
    } finally {
      await proxy.restore();
    }
  });

  it("when Neo4j is back, then /readyz is 200 again once the graph has caught up", async () => {
    // Current means at most 5 s behind; wait for the graph to hold the outage's event too.
    await eventually(30, async () => {
      const { status, json } = await getJson<GraphReadinessReply>(server.url, "/readyz");
      return status === 200 && json.neo4j[0]!.lagEvents === 0;
    });
    const { json } = await getJson<GraphReadinessReply>(server.url, "/readyz");
    expect(json.projection).to.deep.equal({ lagEvents: 0, lagSeconds: 0 });
  });
});
