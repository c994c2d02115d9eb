import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { SymbolAggregate } from "../../lib/model/aggregates.js";
import { guessIsVowel } from "../../lib/model/guess.js";
import { seededRandom } from "../../lib/model/random.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { backendsUnderTest, type BackendFactory } from "../support/backends.js";
import {
  formatBound,
  openServed,
  rangeDashboard,
  responseMicros,
  RESPONSE_TIME,
  symbolDashboard,
  type ServedBackend,
} from "../support/served-backend.js";
import { request, serve, type RawReply } from "../support/test-server.js";

/** What `requests.post(url, params=...)` puts on the wire: fields in the query, an empty body. */
const PYTHON_REQUESTS_HEADERS = {
  "User-Agent": "python-requests/2.18.1",
  "Accept-Encoding": "gzip, deflate",
  Accept: "*/*",
  Connection: "keep-alive",
  "Content-Length": 0,
};

const SHAPE = ["symbol", "count", "earliest", "latest", "followups"];

const params = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** POST as the original client does it. */
function clientPost(url: string, route: "/initial" | "/followup", fields: Record<string, string>) {
  return request(url, "POST", `${route}?${params(fields)}`, { headers: PYTHON_REQUESTS_HEADERS });
}

function jsonPost(url: string, route: string, fields: Record<string, string>) {
  return request(url, "POST", route, {
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(fields),
  });
}

function formPost(url: string, route: string, fields: Record<string, string>) {
  return request(url, "POST", route, {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: params(fields),
  });
}

/** The reply the original client reads with `response.text`. */
function expectPlainText(reply: RawReply, body: RegExp) {
  expect(reply.status, reply.body).to.equal(200);
  expect(reply.headers["content-type"]).to.match(/^text\/plain\b/);
  expect(reply.body).to.match(body);
}

const TRUE_OR_FALSE = /^(True|False)$/;
const HOORAY = /^hooray$/;

const empty = (symbol: string): SymbolAggregate => ({
  symbol,
  count: 0,
  earliest: null,
  latest: null,
  followups: 0,
});

/** Sends `total` initials for `symbol`, `parallel` at a time, and counts the replies True. */
async function trueCount(url: string, symbol: string, total: number, parallel = 20) {
  let trues = 0;
  for (let sent = 0; sent < total; sent += parallel) {
    const batch = Array.from({ length: Math.min(parallel, total - sent) }, () =>
      clientPost(url, "/initial", { uuid: randomUUID(), symbol }),
    );
    for (const reply of await Promise.all(batch)) {
      expectPlainText(reply, TRUE_OR_FALSE);
      if (reply.body === "True") trues++;
    }
  }
  return trues;
}

function describeOriginalClient(factory: BackendFactory) {
  describe(`the original client's requests and the dashboard replies (${factory.name} backend)`, () => {
    let served: ServedBackend;

    before(async () => {
      served = await openServed(factory);
    });

    after(() => served?.close());

    describe("POST /initial", () => {
      it("when every letter a..z is sent in the query of an empty POST, then each reply is plain text True or False", async () => {
        for (const symbol of SYMBOLS) {
          const reply = await clientPost(served.url, "/initial", { uuid: randomUUID(), symbol });
          expectPlainText(reply, TRUE_OR_FALSE);
        }
      });

      it("when y is sent many times, then every reply is True or False, never 0 or 1, and both occur", async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 200; i++) {
          const reply = await clientPost(served.url, "/initial", {
            uuid: randomUUID(),
            symbol: "y",
          });
          expectPlainText(reply, TRUE_OR_FALSE);
          seen.add(reply.body);
        }
        expect([...seen].sort()).to.deep.equal(["False", "True"]);
      });

      it("when the fields come as a JSON body, then the reply is the same plain text", async () => {
        const reply = await jsonPost(served.url, "/initial", { uuid: randomUUID(), symbol: "s" });
        expectPlainText(reply, TRUE_OR_FALSE);
      });

      it("when the fields come as a form body, then the reply is the same plain text", async () => {
        const reply = await formPost(served.url, "/initial", { uuid: randomUUID(), symbol: "s" });
        expectPlainText(reply, TRUE_OR_FALSE);
      });

      describe("the guesses, with a seeded random", function () {
        // Every request is a committed event: a few seconds on the sqlite baseline.
        this.timeout(30_000);
        const SEED = 20170628;
        let seeded: { url: string; close(): Promise<void> };
        // The same model over the same seed, drawn here: what the server must have answered.
        // Each request draws its numbers in one synchronous call, so however the parallel
        // requests interleave, the replies hold the same answers (the model's rates over
        // 200 000 draws are spec/unit/guess-model's).
        const model = seededRandom(SEED);

        before(async () => {
          seeded = await serve(served.data, seededRandom(SEED));
        });

        after(() => seeded?.close());

        // 5 sigma of a binomial share over `total` requests.
        const tolerance = (p: number, total: number) => 5 * Math.sqrt((p * (1 - p)) / total);

        for (const [symbol, p, total] of [
          ["e", 0.9, 400],
          ["t", 0.1, 200],
          ["y", 0.5, 200],
        ] as const) {
          it(`when ${symbol} is asked ${total} times, then the answers are the seeded model's, about ${p * 100}% True`, async () => {
            const trues = await trueCount(seeded.url, symbol, total);
            let expected = 0;
            for (let i = 0; i < total; i++) if (guessIsVowel(symbol, model)) expected++;
            expect(trues).to.equal(expected);
            expect(trues / total).to.be.closeTo(p, tolerance(p, total));
          });
        }
      });
    });

    describe("POST /followup", () => {
      it("when the uuid is sent in the query of an empty POST, then the reply is plain text hooray", async () => {
        const uuid = randomUUID();
        expectPlainText(
          await clientPost(served.url, "/initial", { uuid, symbol: "f" }),
          TRUE_OR_FALSE,
        );
        expectPlainText(await clientPost(served.url, "/followup", { uuid }), HOORAY);
      });

      it("when the uuid comes as a JSON body, then the reply is plain text hooray", async () => {
        const uuid = randomUUID();
        expectPlainText(
          await jsonPost(served.url, "/initial", { uuid, symbol: "f" }),
          TRUE_OR_FALSE,
        );
        expectPlainText(await jsonPost(served.url, "/followup", { uuid }), HOORAY);
      });

      it("when the uuid comes as a form body, then the reply is plain text hooray", async () => {
        const uuid = randomUUID();
        expectPlainText(
          await formPost(served.url, "/initial", { uuid, symbol: "f" }),
          TRUE_OR_FALSE,
        );
        expectPlainText(await formPost(served.url, "/followup", { uuid }), HOORAY);
      });

      it("when a session follows up twice, then both followups are counted for its symbol", async () => {
        const uuid = randomUUID();
        const before = await symbolDashboard(served.url, "g");
        await clientPost(served.url, "/initial", { uuid, symbol: "g" });
        expectPlainText(await clientPost(served.url, "/followup", { uuid }), HOORAY);
        expectPlainText(await clientPost(served.url, "/followup", { uuid }), HOORAY);
        const after = await symbolDashboard(served.url, "g");
        expect(after.count).to.equal(before.count + 1);
        expect(after.followups).to.equal(before.followups + 2);
      });
    });

    describe("GET /dashboard/symbol/:symbol", () => {
      it("when a symbol has events, then the reply is JSON of exactly the reference's shape with server times", async () => {
        const start = Date.now() * 1000;
        const uuid = randomUUID();
        await clientPost(served.url, "/initial", { uuid, symbol: "h" });
        await clientPost(served.url, "/followup", { uuid });
        await clientPost(served.url, "/initial", { uuid: randomUUID(), symbol: "h" });
        const end = Date.now() * 1000;

        const reply = await request(served.url, "GET", "/dashboard/symbol/h");
        expect(reply.status, reply.body).to.equal(200);
        expect(reply.headers["content-type"]).to.match(/^application\/json\b/);
        const aggregate = JSON.parse(reply.body) as SymbolAggregate;
        expect(Object.keys(aggregate)).to.deep.equal(SHAPE);
        expect(aggregate.symbol).to.equal("h");
        expect(aggregate.count).to.be.at.least(2);
        expect(aggregate.followups).to.be.at.least(1);
        expect(aggregate.earliest).to.match(RESPONSE_TIME);
        expect(aggregate.latest).to.match(RESPONSE_TIME);
        // Stamped by the server in UTC while this test ran (its clock may lead Date.now slightly).
        const slack = 2_000_000;
        expect(responseMicros(aggregate.latest!)).to.be.within(start - slack, end + slack);
        expect(responseMicros(aggregate.earliest!)).to.be.at.most(
          responseMicros(aggregate.latest!),
        );
      });

      // A fresh store for graph means emptying the shared MariaDB and Neo4j stores under this
      // suite's running backend; graph's empty shape is checked in spec/stores/accuracy.spec.ts.
      if (factory.name !== "graph")
        it("when a symbol has no events, then count and followups are 0, the times null, and the symbol the letter asked", async () => {
          const fresh = await openServed(factory);
          try {
            expect(await fresh.storedEvents(), "open() must give an empty store").to.equal(0);
            const reply = await request(fresh.url, "GET", "/dashboard/symbol/q");
            expect(reply.status, reply.body).to.equal(200);
            expect(reply.headers["content-type"]).to.match(/^application\/json\b/);
            const aggregate = JSON.parse(reply.body) as SymbolAggregate;
            expect(Object.keys(aggregate)).to.deep.equal(SHAPE);
            expect(aggregate).to.deep.equal(empty("q"));
          } finally {
            await fresh.close();
          }
        });

      it("when asked for upper-case Q, then the answer is for q", async () => {
        const uuid = randomUUID();
        await clientPost(served.url, "/initial", { uuid, symbol: "q" });
        expect(await symbolDashboard(served.url, "Q")).to.deep.equal(
          await symbolDashboard(served.url, "q"),
        );
      });
    });

    describe("GET /dashboard/range/:lower/:upper", () => {
      it("when asked for a range, then the reply is JSON of exactly 26 entries a..z in order, each of the reference's shape", async () => {
        await clientPost(served.url, "/initial", { uuid: randomUUID(), symbol: "m" });
        const reply = await request(served.url, "GET", "/dashboard/range/1970-01-01/2100-01-01");
        expect(reply.status, reply.body).to.equal(200);
        expect(reply.headers["content-type"]).to.match(/^application\/json\b/);
        const entries = JSON.parse(reply.body) as SymbolAggregate[];
        expect(entries.map((e) => e.symbol)).to.deep.equal(SYMBOLS);
        for (const entry of entries) {
          expect(Object.keys(entry), entry.symbol).to.deep.equal(SHAPE);
          if (entry.count === 0) {
            expect(entry, entry.symbol).to.deep.equal(empty(entry.symbol));
          } else {
            expect(entry.earliest, entry.symbol).to.match(RESPONSE_TIME);
            expect(entry.latest, entry.symbol).to.match(RESPONSE_TIME);
          }
        }
        expect(entries[SYMBOLS.indexOf("m")]!.count).to.be.at.least(1);
      });

      it("when lower equals upper, even at an event's exact time, then the reply is 26 zero entries", async () => {
        await clientPost(served.url, "/initial", { uuid: randomUUID(), symbol: "n" });
        const { latest } = await symbolDashboard(served.url, "n");
        for (const bound of [latest!, "2017-06-28"]) {
          expect(await rangeDashboard(served.url, bound, bound), bound).to.deep.equal(
            SYMBOLS.map(empty),
          );
        }
      });

      it("when the range ends just after an event, then the event is in the range's count", async () => {
        await clientPost(served.url, "/initial", { uuid: randomUUID(), symbol: "p" });
        const { latest, count } = await symbolDashboard(served.url, "p");
        const after = formatBound(responseMicros(latest!) + 1, "space");
        const entries = await rangeDashboard(served.url, "1970-01-01", after);
        expect(entries[SYMBOLS.indexOf("p")]!.count).to.equal(count);
      });
    });
  });
}

for (const factory of backendsUnderTest) describeOriginalClient(factory);
