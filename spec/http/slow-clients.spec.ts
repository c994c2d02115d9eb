import net from "node:net";
import { expect } from "chai";
import { loadConfig } from "../../lib/config.js";
import { HTTP_LIMITS, start, type RunningServer } from "../../lib/server.js";
import { request } from "../support/test-server.js";

/** Between Node's check and the close reaching the client, on two shared cores. */
const SLACK_MS = 1500;

/** A raw TCP client: what it was sent back, and when the server closed the connection. */
interface RawClient {
  socket: net.Socket;
  received(): string;
  /** Resolves with the milliseconds from connecting to the server's close. */
  closed: Promise<number>;
}

function connect(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = "";
    const socket = net.connect(port, "127.0.0.1");
    // A reset (the connection refused past the cap) is a close like any other here.
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise<number>((done) =>
      socket.once("close", () => done(performance.now() - started)),
    );
    socket.once("connect", () => resolve({ socket, received: () => received, closed }));
    socket.once("error", reject);
  });
}

/** Writes `lines` one every `everyMs` until the socket closes; returns the loop's stop. */
function dribble(client: RawClient, lines: () => string, everyMs: number): () => void {
  const timer = setInterval(() => {
    if (!client.socket.destroyed) client.socket.write(lines());
  }, everyMs);
  void client.closed.then(() => clearInterval(timer));
  return () => clearInterval(timer);
}

/** Resolves with the connection's close time, or rejects if it stays open past `ms`. */
function closedWithin(client: RawClient, ms: number, what: string): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    client.closed,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What one slow client saw: when its connection was closed, and what it received. */
interface Outcome {
  ms: number;
  received: string;
}

/** Connects, runs `behave`, and waits for the server's close, for `ms` at most. */
async function slowClient(
  port: number,
  what: string,
  ms: number,
  behave: (client: RawClient) => () => void,
): Promise<Outcome> {
  const client = await connect(port);
  const stop = behave(client);
  try {
    return { ms: await closedWithin(client, ms, what), received: client.received() };
  } finally {
    stop();
    client.socket.destroy();
  }
}

const GET = "GET /dashboard/symbol/a HTTP/1.1\r\nHost: x\r\n\r\n";
const CUT_AFTER_HEADERS_MS = HTTP_LIMITS.headersTimeoutMs + HTTP_LIMITS.checkIntervalMs + SLACK_MS;

describe("slow and many clients (the real server, null backend)", function () {
  // The slow clients run at once, from before(); the longest is the request timeout and slack.
  this.timeout(HTTP_LIMITS.requestTimeoutMs + 30_000);
  let server: RunningServer;
  const outcomes = new Map<string, Promise<{ outcome?: Outcome; error?: unknown }>>();

  before(async () => {
    server = await start(loadConfig({ DATA_INTERFACE: "null", HOST: "127.0.0.1", PORT: "0" }));
    const run = (name: string, ms: number, behave: (client: RawClient) => () => void) =>
      outcomes.set(
        name,
        slowClient(server.port, name, ms, behave).then(
          (outcome) => ({ outcome }),
          (error: unknown) => ({ error }),
        ),
      );
    run("slowloris", CUT_AFTER_HEADERS_MS, (client) => {
      client.socket.write("GET /dashboard/symbol/a HTTP/1.1\r\nHost: x\r\n");
      let n = 0;
      return dribble(client, () => `X-Slow-${n++}: 1\r\n`, 1000);
    });
    run("silent", CUT_AFTER_HEADERS_MS, () => () => {});
    run(
      "slow body",
      HTTP_LIMITS.requestTimeoutMs + HTTP_LIMITS.checkIntervalMs + SLACK_MS,
      (client) => {
        client.socket.write(
          "POST /initial HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
            "Content-Length: 1000\r\n\r\n{",
        );
        return dribble(client, () => " ", 1000);
      },
    );
    run("idle keep-alive", HTTP_LIMITS.keepAliveTimeoutMs + SLACK_MS, (client) => {
      client.socket.write(GET);
      return () => {};
    });
  });

  after(() => server?.stop());

  /** The outcome of the slow client `name`, or its failure thrown. */
  async function outcomeOf(name: string): Promise<Outcome> {
    const { outcome, error } = await outcomes.get(name)!;
    if (!outcome) throw error;
    return outcome;
  }

  it(`when a client sends its headers a line a second (slowloris), then it is cut after ${HTTP_LIMITS.headersTimeoutMs / 1000} s with a 408`, async () => {
    const { ms, received } = await outcomeOf("slowloris");
    expect(ms).to.be.at.least(HTTP_LIMITS.headersTimeoutMs - 100);
    expect(received).to.match(/^HTTP\/1\.1 408 /);
  });

  it(`when a client connects and sends nothing, then it is cut after ${HTTP_LIMITS.headersTimeoutMs / 1000} s`, async () => {
    const { ms } = await outcomeOf("silent");
    expect(ms).to.be.at.least(HTTP_LIMITS.headersTimeoutMs - 100);
  });

  it(`when a client sends its body a byte a second, then it is cut after ${HTTP_LIMITS.requestTimeoutMs / 1000} s`, async () => {
    const { ms, received } = await outcomeOf("slow body");
    expect(ms).to.be.at.least(HTTP_LIMITS.requestTimeoutMs - 100);
    expect(received).to.not.match(/^HTTP\/1\.1 200 /);
  });

  it(`when a keep-alive connection idles, then it is closed after ${HTTP_LIMITS.keepAliveTimeoutMs / 1000} s, as the reply announced`, async () => {
    const { ms, received } = await outcomeOf("idle keep-alive");
    expect(received).to.match(/^HTTP\/1\.1 200 /);
    expect(received).to.include(`Keep-Alive: timeout=${HTTP_LIMITS.keepAliveTimeoutMs / 1000}`);
    expect(ms).to.be.at.least(HTTP_LIMITS.keepAliveTimeoutMs - 100);
  });

  it(`when ${HTTP_LIMITS.maxConnections} connections are open, then one more is closed at once; when one ends, a new one is served`, async () => {
    // The slow clients above are done: the cap is all ours.
    await Promise.all(outcomes.values());
    const held: RawClient[] = [];
    try {
      for (let i = 0; i < HTTP_LIMITS.maxConnections; i++) held.push(await connect(server.port));
      // Accepted in order: a reply on the last one means all of them are in.
      const last = held.at(-1)!;
      last.socket.write(GET);
      while (!last.received().includes("\r\n\r\n")) {
        await new Promise((resolve) => last.socket.once("data", resolve));
      }
      expect(last.received()).to.match(/^HTTP\/1\.1 200 /);

      const refused = await connect(server.port);
      refused.socket.write(GET);
      await closedWithin(refused, SLACK_MS, "the connection past the cap");
      expect(refused.received()).to.equal("");

      held.shift()!.socket.destroy();
      // The server counts the closed connection out as soon as it sees the close.
      let reply;
      for (let tries = 0; tries < 20 && !reply; tries++) {
        reply = await request(server.url, "GET", "/dashboard/symbol/a").catch(() => undefined);
      }
      expect(reply?.status).to.equal(200);
    } finally {
      for (const client of held) client.socket.destroy();
    }
  });
});
