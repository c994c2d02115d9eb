import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { SymbolAggregate } from "../../lib/model/aggregates.js";
import { backendsUnderTest, checksSessions, type BackendFactory } from "../support/backends.js";
import {
  expectJsonError,
  openServed,
  rangeDashboard,
  symbolDashboard,
  type ServedBackend,
} from "../support/served-backend.js";
import { request } from "../support/test-server.js";

/** One request the service must refuse, and what the refusal must say. */
interface BadInput {
  when: string;
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string;
  status: 400 | 404 | 405 | 409 | 413 | 415;
  /** What the error text must mention: the thing that was expected. */
  mentions: RegExp;
  /** The Allow header a 405 must carry. */
  allow?: string;
}

interface RouteCases {
  route: string;
  cases: BadInput[];
}

const EXPECTS_UUID = /uuid.*8-4-4-4-12/;
const EXPECTS_SYMBOL = /symbol.*one letter a-z/;
const EXPECTS_BOUND = /YYYY-MM-DD, YYYY-MM-DD HH:MM:SS/;
const EXPECTS_SUPPORTED_RANGE =
  /out of range: times from 1684-07-28 00:12:25\.259009 to 2255-06-05 23:47:34\.740991 UTC/;
const EXPECTS_OBJECT = /JSON.*object/;
const EXPECTS_ENDPOINTS = /expected POST \/initial, POST \/followup/;
const EXPECTS_BODY_TYPE = /application\/json.*application\/x-www-form-urlencoded/;
const EXPECTS_SMALL_BODY = /at most 2 kB/;

const SQL_DROP = "a'; DROP TABLE api_events; --";
const SQL_OR = "1 OR 1=1";
const CYPHER_DELETE = "a}) DETACH DELETE n //";

/** A query string exactly as given: `query([["symbol", "a"], ["symbol", "b"]])`. */
const query = (pairs: Record<string, string> | [string, string][]) =>
  new URLSearchParams(pairs).toString();
const json = (text: string) => ({ headers: { "Content-Type": "application/json" }, body: text });
const form = (fields: Record<string, string>) => ({
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  body: query(fields),
});
const initial = (fields: Record<string, string> | [string, string][]) =>
  `/initial?${query(fields)}`;
const segment = encodeURIComponent;

/** Bad initial requests; every one names a fresh uuid so none can collide with stored data. */
function initialCases(sessionUuid: string): BadInput[] {
  const u = randomUUID;
  const bad = (when: string, fields: Record<string, string>, mentions: RegExp): BadInput => ({
    when,
    method: "POST",
    path: initial(fields),
    status: 400,
    mentions,
  });
  const badBody = (
    when: string,
    body: { headers: Record<string, string>; body: string },
    status: BadInput["status"],
    mentions: RegExp,
  ): BadInput => ({ when, method: "POST", path: "/initial", ...body, status, mentions });
  return [
    bad("the uuid is one digit short", { uuid: u().slice(0, -1), symbol: "a" }, EXPECTS_UUID),
    bad("the uuid has a non-hex digit", { uuid: `g${u().slice(1)}`, symbol: "a" }, EXPECTS_UUID),
    bad("the uuid is in braces", { uuid: `{${u()}}`, symbol: "a" }, EXPECTS_UUID),
    bad("the uuid has no dashes", { uuid: u().replaceAll("-", ""), symbol: "a" }, EXPECTS_UUID),
    bad("the uuid is 37 characters", { uuid: `${u()}0`, symbol: "a" }, EXPECTS_UUID),
    bad("the uuid is in URN form", { uuid: `urn:uuid:${u()}`, symbol: "a" }, EXPECTS_UUID),
    bad("the uuid has spaces around it", { uuid: ` ${u()} `, symbol: "a" }, EXPECTS_UUID),
    bad("the uuid is empty", { uuid: "", symbol: "a" }, EXPECTS_UUID),
    bad("the uuid is missing", { symbol: "a" }, /missing uuid.*8-4-4-4-12/),
    bad("the symbol is empty", { uuid: u(), symbol: "" }, EXPECTS_SYMBOL),
    bad("the symbol is two letters", { uuid: u(), symbol: "ab" }, EXPECTS_SYMBOL),
    bad("the symbol is a digit", { uuid: u(), symbol: "1" }, EXPECTS_SYMBOL),
    bad("the symbol is an accented letter", { uuid: u(), symbol: "é" }, EXPECTS_SYMBOL),
    bad("the symbol is a space", { uuid: u(), symbol: " " }, EXPECTS_SYMBOL),
    bad("the symbol is a percent sign", { uuid: u(), symbol: "%" }, EXPECTS_SYMBOL),
    {
      when: "the symbol is a bare, undecodable percent sign",
      method: "POST",
      path: `/initial?uuid=${u()}&symbol=%`,
      status: 400,
      mentions: EXPECTS_SYMBOL,
    },
    bad("the symbol is missing", { uuid: u() }, /missing symbol.*one letter a-z/),
    {
      when: "the symbol is given twice with different values",
      method: "POST",
      path: initial([
        ["uuid", u()],
        ["symbol", "a"],
        ["symbol", "b"],
      ]),
      status: 400,
      mentions: EXPECTS_SYMBOL,
    },
    {
      when: "the query and the JSON body give different symbols",
      method: "POST",
      path: initial({ symbol: "a" }),
      ...json(JSON.stringify({ uuid: u(), symbol: "b" })),
      status: 400,
      mentions: /symbol is given twice.*send it once/,
    },
    bad("the symbol is an SQL injection", { uuid: u(), symbol: SQL_DROP }, EXPECTS_SYMBOL),
    bad("the uuid is an SQL injection", { uuid: SQL_DROP, symbol: "a" }, EXPECTS_UUID),
    bad("the uuid is an always-true SQL condition", { uuid: SQL_OR, symbol: "a" }, EXPECTS_UUID),
    bad("the symbol is a Cypher injection", { uuid: u(), symbol: CYPHER_DELETE }, EXPECTS_SYMBOL),
    badBody(
      "the JSON body is an array",
      json(JSON.stringify([{ uuid: u(), symbol: "a" }])),
      400,
      EXPECTS_OBJECT,
    ),
    badBody("the JSON body is a string", json(JSON.stringify("a")), 400, EXPECTS_OBJECT),
    badBody("the JSON body is null", json("null"), 400, EXPECTS_OBJECT),
    badBody(
      "the JSON body is malformed",
      json(`{"uuid": "${u()}", "symbol": "a"`),
      400,
      EXPECTS_OBJECT,
    ),
    badBody(
      "the JSON uuid is a number",
      json(JSON.stringify({ uuid: 12345678, symbol: "a" })),
      400,
      EXPECTS_UUID,
    ),
    badBody(
      "the JSON symbol is a list",
      json(JSON.stringify({ uuid: u(), symbol: ["a"] })),
      400,
      EXPECTS_SYMBOL,
    ),
    badBody(
      "the JSON uuid is an SQL injection",
      json(JSON.stringify({ uuid: "' OR '1'='1", symbol: "a" })),
      400,
      EXPECTS_UUID,
    ),
    badBody(
      "the form symbol is two letters",
      form({ uuid: u(), symbol: "ab" }),
      400,
      EXPECTS_SYMBOL,
    ),
    badBody(
      "the form symbol is a Cypher injection",
      form({ uuid: u(), symbol: CYPHER_DELETE }),
      400,
      EXPECTS_SYMBOL,
    ),
    badBody(
      "the body is text/plain",
      { headers: { "Content-Type": "text/plain" }, body: `uuid=${u()}&symbol=a` },
      415,
      EXPECTS_BODY_TYPE,
    ),
    {
      when: "a body comes without a Content-Type",
      method: "POST",
      path: "/initial",
      body: `uuid=${u()}&symbol=a`,
      status: 400,
      mentions: /Content-Type of application\/json/,
    },
    badBody(
      "the JSON body is larger than 2 kB",
      json(JSON.stringify({ uuid: u(), symbol: "a", padding: "x".repeat(2100) })),
      413,
      EXPECTS_SMALL_BODY,
    ),
    badBody(
      "the form body is larger than 2 kB",
      form({ uuid: u(), symbol: "a", padding: "x".repeat(2100) }),
      413,
      EXPECTS_SMALL_BODY,
    ),
    badBody(
      "the JSON body is in a charset other than UTF",
      {
        headers: { "Content-Type": "application/json; charset=latin1" },
        body: JSON.stringify({ uuid: u(), symbol: "a" }),
      },
      415,
      /expected a UTF-8 body/,
    ),
    badBody(
      "the JSON body has an unknown Content-Encoding",
      {
        headers: { "Content-Type": "application/json", "Content-Encoding": "compress" },
        body: JSON.stringify({ uuid: u(), symbol: "a" }),
      },
      415,
      /expected no Content-Encoding, gzip, deflate or br/,
    ),
    {
      when: "a uuid already used for another symbol is sent with a new one",
      method: "POST",
      path: initial({ uuid: sessionUuid, symbol: "b" }),
      status: 409,
      mentions: /new uuid/,
    },
  ];
}

function followupCases(): BadInput[] {
  const u = randomUUID;
  const bad = (when: string, uuid: string): BadInput => ({
    when,
    method: "POST",
    path: `/followup?${query({ uuid })}`,
    status: 400,
    mentions: EXPECTS_UUID,
  });
  return [
    {
      when: "the uuid is missing",
      method: "POST",
      path: "/followup",
      status: 400,
      mentions: /missing uuid/,
    },
    bad("the uuid is one digit short", u().slice(0, -1)),
    bad("the uuid has a non-hex digit", `${u().slice(0, -1)}z`),
    bad("the uuid is in braces", `{${u()}}`),
    bad("the uuid has no dashes", u().replaceAll("-", "")),
    bad("the uuid is 37 characters", `0${u()}`),
    bad("the uuid is in URN form", `urn:uuid:${u()}`),
    bad("the uuid is an SQL injection", SQL_DROP),
    bad("the uuid is an always-true SQL condition", SQL_OR),
    bad("the uuid is a Cypher injection", CYPHER_DELETE),
    {
      when: "the JSON uuid is a number",
      method: "POST",
      path: "/followup",
      ...json('{"uuid": 1}'),
      status: 400,
      mentions: EXPECTS_UUID,
    },
    {
      when: "the JSON body is an array",
      method: "POST",
      path: "/followup",
      ...json(JSON.stringify([u()])),
      status: 400,
      mentions: EXPECTS_OBJECT,
    },
    {
      when: "the JSON body is malformed",
      method: "POST",
      path: "/followup",
      ...json(`{"uuid": ${u()}}`),
      status: 400,
      mentions: EXPECTS_OBJECT,
    },
    {
      when: "the form uuid is in braces",
      method: "POST",
      path: "/followup",
      ...form({ uuid: `{${u()}}` }),
      status: 400,
      mentions: EXPECTS_UUID,
    },
    {
      when: "the body is text/plain",
      method: "POST",
      path: "/followup",
      headers: { "Content-Type": "text/plain" },
      body: u(),
      status: 415,
      mentions: EXPECTS_BODY_TYPE,
    },
    {
      when: "the JSON body is larger than 2 kB",
      method: "POST",
      path: "/followup",
      ...json(JSON.stringify({ uuid: u(), padding: "x".repeat(2100) })),
      status: 413,
      mentions: EXPECTS_SMALL_BODY,
    },
    {
      when: "no initial was ever sent for the uuid",
      method: "POST",
      path: `/followup?${query({ uuid: u() })}`,
      status: 404,
      mentions: /POST \/initial first/,
    },
  ];
}

function symbolDashboardCases(): BadInput[] {
  const bad = (when: string, rawSymbol: string): BadInput => ({
    when,
    method: "GET",
    path: `/dashboard/symbol/${rawSymbol}`,
    status: 400,
    mentions: EXPECTS_SYMBOL,
  });
  return [
    bad("the symbol is two letters", "ab"),
    bad("the symbol is a digit", "1"),
    bad("the symbol is an encoded accented letter", "%C3%A9"),
    bad("the symbol is an encoded percent sign", "%25"),
    bad("the symbol is an encoded space", "%20"),
    bad("the symbol is an SQL injection", segment(SQL_DROP)),
    bad("the symbol is an always-true SQL condition", segment(SQL_OR)),
    bad("the symbol is a Cypher injection", segment(CYPHER_DELETE)),
    {
      when: "the symbol is a bare, undecodable percent sign",
      method: "GET",
      path: "/dashboard/symbol/%",
      status: 400,
      mentions: /percent-encoding/,
    },
  ];
}

function rangeDashboardCases(): BadInput[] {
  const bad = (when: string, lower: string, upper: string, mentions = EXPECTS_BOUND): BadInput => ({
    when,
    method: "GET",
    path: `/dashboard/range/${segment(lower)}/${segment(upper)}`,
    status: 400,
    mentions,
  });
  return [
    bad("lower is February 30th", "2017-02-30", "2017-03-02"),
    bad("lower is month 13", "2017-13-01", "2018-01-01"),
    bad("lower has one-digit month and day", "2017-6-1", "2017-07-01"),
    bad("lower is a word", "yesterday", "2017-07-01"),
    bad("lower is hour 25", "2017-06-28 25:00:00", "2017-06-29"),
    bad("lower has trailing garbage", "2017-06-28x", "2017-06-29"),
    bad("lower has no seconds", "2017-06-28 19:34", "2017-06-29"),
    bad("lower has seven fraction digits", "2017-06-28 19:34:14.1234567", "2017-06-29"),
    bad("lower has a +01:00 offset", "2017-06-28T12:00:00+01:00", "2017-06-29"),
    bad("upper has a -05:00 offset", "2017-06-28", "2017-06-28T12:00:00-05:00"),
    bad("upper is February 29th of a common year", "2017-02-01", "2017-02-29"),
    bad("upper is an SQL injection", "2017-06-28", "2017-06-29' OR '1'='1"),
    bad("upper is a Cypher injection", "2017-06-28", CYPHER_DELETE),
    bad("upper is in year 9999", "2017-06-28", "9999-12-31", EXPECTS_SUPPORTED_RANGE),
    bad(
      "upper is year 9999's last microsecond, which a number cannot hold",
      "2017-06-28",
      "9999-12-31T23:59:59.999999",
      EXPECTS_SUPPORTED_RANGE,
    ),
    bad(
      "upper is a microsecond past the exact range",
      "2017-06-28",
      "2255-06-05 23:47:34.740992",
      EXPECTS_SUPPORTED_RANGE,
    ),
    bad(
      "lower is a microsecond before the exact range",
      "1684-07-28 00:12:25.259008",
      "2017-06-28",
      EXPECTS_SUPPORTED_RANGE,
    ),
    bad("lower is in the first century", "0099-12-31", "1999-06-01", EXPECTS_SUPPORTED_RANGE),
    bad("lower is a day after upper", "2017-06-29", "2017-06-28", /expected lower <= upper/),
    bad(
      "lower is a microsecond after upper",
      "2017-06-28 12:00:00.000001",
      "2017-06-28T12:00:00Z",
      /expected lower <= upper/,
    ),
    {
      when: "lower is a bare, undecodable percent sign",
      method: "GET",
      path: "/dashboard/range/2017-01-01%/2017-01-02",
      status: 400,
      mentions: /percent-encoding/,
    },
  ];
}

function unknownRouteCases(): BadInput[] {
  return [
    "/",
    "/dashboard",
    "/dashboard/symbol",
    "/dashboard/range/2017-01-01",
    "/dashboard/range/2017-01-01/2017-01-02/2017-01-03",
    "/dashboard/symbol/a/b",
    "/favicon.ico",
  ].map((path) => ({
    when: `GET ${path} is asked for`,
    method: "GET",
    path,
    status: 404 as const,
    mentions: EXPECTS_ENDPOINTS,
  }));
}

function wrongMethodCases(): BadInput[] {
  const wrong = (method: string, path: string, allow: string): BadInput => ({
    when: `${method} ${path.split("?")[0]} is sent`,
    method,
    path,
    status: 405,
    mentions: new RegExp(`${method} is not supported.*use ${allow}`),
    allow,
  });
  return [
    wrong("GET", `/initial?${query({ uuid: randomUUID(), symbol: "a" })}`, "POST"),
    wrong("PUT", `/initial?${query({ uuid: randomUUID(), symbol: "a" })}`, "POST"),
    wrong("GET", `/followup?${query({ uuid: randomUUID() })}`, "POST"),
    wrong("PUT", `/followup?${query({ uuid: randomUUID() })}`, "POST"),
    wrong("DELETE", "/dashboard/symbol/a", "GET"),
    wrong("POST", "/dashboard/symbol/a", "GET"),
    wrong("PATCH", "/dashboard/range/2017-01-01/2017-01-02", "GET"),
    wrong("DELETE", "/dashboard/range/1970-01-01/2100-01-01", "GET"),
  ];
}

const EVERYTHING = ["1970-01-01", "2100-01-01"] as const;

function describeBadInput(factory: BackendFactory) {
  describe(`bad input (${factory.name} backend)`, function () {
    let served: ServedBackend;
    // Made in before(); the 409 case sends it again with another symbol.
    const sessionUuid = randomUUID();
    let eventsBefore: number;
    let dashboardBefore: SymbolAggregate[];

    before(async () => {
      served = await openServed(factory);
      // Some data to leave untouched, and the session the 409 case reuses.
      const first = await request(served.url, "POST", initial({ uuid: sessionUuid, symbol: "a" }));
      expect(first.status, first.body).to.equal(200);
      const again = await request(served.url, "POST", `/followup?${query({ uuid: sessionUuid })}`);
      expect(again.status, again.body).to.equal(200);
      eventsBefore = await served.storedEvents();
      dashboardBefore = await rangeDashboard(served.url, ...EVERYTHING);
    });

    after(() => served?.close());

    const routes: RouteCases[] = [
      { route: "POST /initial", cases: initialCases(sessionUuid) },
      { route: "POST /followup", cases: followupCases() },
      { route: "GET /dashboard/symbol/:symbol", cases: symbolDashboardCases() },
      { route: "GET /dashboard/range/:lower/:upper", cases: rangeDashboardCases() },
      { route: "unknown routes", cases: unknownRouteCases() },
      { route: "known routes with the wrong method", cases: wrongMethodCases() },
    ];

    for (const { route, cases } of routes) {
      describe(route, () => {
        for (const bad of cases) {
          // 404 for unknown sessions and 409 for reused uuids are not the baselines' rules.
          const sessionRule =
            route !== "unknown routes" && (bad.status === 404 || bad.status === 409);
          if (sessionRule && !checksSessions(factory)) continue;

          it(`when ${bad.when}, then ${bad.status} with a JSON error and nothing stored`, async () => {
            const stored = await served.storedEvents();
            const reply = await request(served.url, bad.method, bad.path, {
              headers: bad.headers,
              body: bad.body,
            });
            expectJsonError(reply, bad.status, bad.mentions);
            if (bad.allow) expect(reply.headers.allow).to.equal(bad.allow);
            expect(await served.storedEvents(), "events stored").to.equal(stored);
          });
        }
      });
    }

    describe("afterwards", () => {
      it("when every bad input has been refused, then the stored events and dashboards are unchanged", async () => {
        expect(await served.storedEvents()).to.equal(eventsBefore);
        expect(await rangeDashboard(served.url, ...EVERYTHING)).to.deep.equal(dashboardBefore);
        expect(await symbolDashboard(served.url, "a")).to.deep.equal(dashboardBefore[0]);
      });

      it("when the injections have been tried, then the event table still takes writes", async () => {
        const reply = await request(
          served.url,
          "POST",
          initial({ uuid: randomUUID(), symbol: "d" }),
        );
        expect(reply.status, reply.body).to.equal(200);
        expect(await served.storedEvents()).to.equal(eventsBefore + 1);
        expect((await symbolDashboard(served.url, "d")).count).to.equal(
          dashboardBefore[3]!.count + 1,
        );
      });
    });
  });

  describe(`accepted variants of the input (${factory.name} backend)`, function () {
    let served: ServedBackend;

    before(async () => {
      served = await openServed(factory);
    });

    after(() => served?.close());

    describe("POST /initial", () => {
      it("when the symbol is upper-case E, then it is accepted and counted as e", async () => {
        const before = await symbolDashboard(served.url, "e");
        const reply = await request(
          served.url,
          "POST",
          initial({ uuid: randomUUID(), symbol: "E" }),
        );
        expect(reply.status, reply.body).to.equal(200);
        expect(reply.body).to.match(/^(True|False)$/);
        const after = await symbolDashboard(served.url, "e");
        expect(after.count).to.equal(before.count + 1);
        expect((await symbolDashboard(served.url, "E")).count).to.equal(after.count);
        expect((await symbolDashboard(served.url, "E")).symbol).to.equal("e");
      });

      it("when the uuid is upper-case, then it is stored lower-case and a lower-case followup joins it", async () => {
        const uuid = randomUUID();
        const before = await symbolDashboard(served.url, "k");
        const first = await request(
          served.url,
          "POST",
          initial({ uuid: uuid.toUpperCase(), symbol: "k" }),
        );
        expect(first.status, first.body).to.equal(200);
        const followup = await request(served.url, "POST", `/followup?${query({ uuid })}`);
        expect(followup.status, followup.body).to.equal(200);
        expect(followup.body).to.equal("hooray");
        const after = await symbolDashboard(served.url, "k");
        expect(after.count).to.equal(before.count + 1);
        // The reference joins followups to initials by uuid text: this only counts if both are lower-case.
        expect(after.followups).to.equal(before.followups + 1);
      });

      it("when the uuid is mixed-case in a JSON body, then an upper-case followup joins it too", async () => {
        const uuid = randomUUID();
        const mixed = uuid.slice(0, 18).toUpperCase() + uuid.slice(18);
        const before = await symbolDashboard(served.url, "w");
        const first = await request(
          served.url,
          "POST",
          "/initial",
          json(JSON.stringify({ uuid: mixed, symbol: "W" })),
        );
        expect(first.status, first.body).to.equal(200);
        const followup = await request(
          served.url,
          "POST",
          "/followup",
          form({ uuid: uuid.toUpperCase() }),
        );
        expect(followup.status, followup.body).to.equal(200);
        const after = await symbolDashboard(served.url, "w");
        expect([after.count, after.followups]).to.deep.equal([
          before.count + 1,
          before.followups + 1,
        ]);
      });

      it("when the same field is in the query and the body with the same value, then it is accepted", async () => {
        const uuid = randomUUID();
        const reply = await request(
          served.url,
          "POST",
          initial({ uuid }),
          json(JSON.stringify({ uuid, symbol: "c" })),
        );
        expect(reply.status, reply.body).to.equal(200);
      });
    });

    describe("GET /dashboard/range/:lower/:upper", () => {
      it("when the bounds are the ends of the exact range, then 26 entries", async () => {
        const entries = await rangeDashboard(
          served.url,
          "1684-07-28 00:12:25.259009",
          "2255-06-05T23:47:34.740991Z",
        );
        expect(entries).to.have.length(26);
        expect(entries.map((e) => e.symbol).join("")).to.equal("abcdefghijklmnopqrstuvwxyz");
      });
    });
  });
}

for (const factory of backendsUnderTest) describeBadInput(factory);
