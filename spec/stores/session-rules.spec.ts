import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { describeWithStores } from "../support/stores-available.js";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import { countLoggedEvents, openEmptyGraphBackend } from "../support/graph-stores.js";
import { getJson, request, serve, type TestServer } from "../support/test-server.js";

describeWithStores("graph backend: session rules", () => {
  let backend: GraphBackend;
  let server: TestServer;

  before(async () => {
    backend = await openEmptyGraphBackend();
    server = await serve(backend);
  });
  after(async () => {
    await server.close();
    await backend.close();
  });

  const initial = (uuid: string, symbol: string) =>
    request(server.url, "POST", `/initial?uuid=${uuid}&symbol=${symbol}`);
  const followup = (uuid: string) => request(server.url, "POST", `/followup?uuid=${uuid}`);
  const symbolCount = async (symbol: string) =>
    (await getJson<{ count: number; followups: number }>(server.url, `/dashboard/symbol/${symbol}`))
      .json;

  describe("POST /initial", () => {
    it("when the same uuid and symbol are sent again, then the first guess returns and counts once", async () => {
      const uuid = randomUUID();
      const before = await symbolCount("k");
      const first = await initial(uuid, "k");
      for (let i = 0; i < 20; i++) {
        const retry = await initial(uuid, "k");
        expect(retry.status).to.equal(200);
        expect(retry.body).to.equal(first.body);
      }
      expect((await symbolCount("k")).count).to.equal(before.count + 1);
    });

    it("when many retries of one uuid race each other, then it still counts once", async () => {
      const uuid = randomUUID();
      const before = await symbolCount("m");
      const replies = await Promise.all(Array.from({ length: 50 }, () => initial(uuid, "m")));
      expect(new Set(replies.map((r) => `${r.status} ${r.body}`)).size).to.equal(1);
      expect((await symbolCount("m")).count).to.equal(before.count + 1);
    });

    it("when the uuid was used with another symbol, then 409 with a JSON error and nothing written", async () => {
      const uuid = randomUUID();
      await initial(uuid, "b");
      const events = await countLoggedEvents(backend);
      const conflict = await initial(uuid, "c");
      expect(conflict.status).to.equal(409);
      expect(conflict.headers["content-type"]).to.match(/^application\/json/);
      expect(JSON.parse(conflict.body).error).to.match(/already used with symbol "b"/);
      expect(await countLoggedEvents(backend)).to.equal(events);
    });

    it("when the uuid is upper case, then it is the same session as its lower-case form", async () => {
      const uuid = randomUUID();
      await initial(uuid.toUpperCase(), "d");
      expect((await followup(uuid)).status).to.equal(200);
      expect((await initial(uuid, "e")).status).to.equal(409);
    });
  });

  describe("POST /followup", () => {
    it("when the uuid never had an initial, then 404 with a JSON error and nothing written", async () => {
      const events = await countLoggedEvents(backend);
      const reply = await followup(randomUUID());
      expect(reply.status).to.equal(404);
      expect(JSON.parse(reply.body).error).to.match(/POST \/initial first/);
      expect(await countLoggedEvents(backend)).to.equal(events);
    });

    it("when sent the instant its initial returned, then it is never rejected and always counted", async () => {
      const before = await symbolCount("f");
      const rounds = 200;
      await Promise.all(
        Array.from({ length: rounds }, async () => {
          const uuid = randomUUID();
          expect((await initial(uuid, "f")).status).to.equal(200);
          const reply = await followup(uuid);
          expect(reply.status, reply.body).to.equal(200);
          expect(reply.body).to.equal("hooray");
        }),
      );
      const after = await symbolCount("f");
      expect(after.count - before.count).to.equal(rounds);
      expect(after.followups - before.followups).to.equal(rounds);
    });

    it("when a session follows up several times, then every followup counts", async () => {
      const uuid = randomUUID();
      await initial(uuid, "g");
      const before = await symbolCount("g");
      for (let i = 0; i < 3; i++) expect((await followup(uuid)).status).to.equal(200);
      expect((await symbolCount("g")).followups).to.equal(before.followups + 3);
    });
  });
});
