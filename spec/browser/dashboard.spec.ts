/// <reference lib="dom" />
import { expect } from "chai";
import type { Page } from "puppeteer-core";
import { frequencyLetterStream } from "../../lib/client/letter-stream.js";
import { runLoad } from "../../lib/client/load-client.js";
import { StoreUnavailableError } from "../../lib/backend/data-errors.js";
import type { DataInterface } from "../../lib/backend/data-interface.js";
import type { GraphBackend } from "../../lib/backend/graph-backend.js";
import type { SymbolAggregate } from "../../lib/model/aggregates.js";
import { seededRandom } from "../../lib/model/random.js";
import { nowMicros } from "../../lib/model/timestamp.js";
import { graphBackend, sqliteBackend, type BackendUnderTest } from "../support/backends.js";
import { launchBrowser, type TestBrowser } from "../support/browser.js";
import { generateEventStream, type GeneratedEvent } from "../support/event-stream.js";
import { feedEvents } from "../support/feed-events.js";
import { untilGraphCurrent } from "../support/graph-stores.js";
import { STORES_AVAILABLE } from "../support/stores-available.js";
import { getJson, serve, type TestServer } from "../support/test-server.js";

const DAY_MS = 86_400_000;

/** The generated history's times, then the real clock: the load client runs after it. */
function historyThenNow(events: readonly GeneratedEvent[]) {
  let next = 0;
  return () => (next < events.length ? events[next++]!.at : nowMicros());
}

/** `YYYY-MM-DD` of a UTC day `offset` days from today, written independently of lib/. */
const utcDay = (offset: number) =>
  new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);

interface TableRow {
  symbol: string;
  count: number;
  followups: number;
  earliest: string | null;
  latest: string | null;
}

/** The table as the page shows it, in letter order whatever the sort. */
async function readTable(page: Page): Promise<TableRow[]> {
  const rows = await page.$$eval("#letters tbody tr", (trs) =>
    trs.map((tr) => {
      const cell = (col: string) => tr.querySelector<HTMLElement>(`[data-col="${col}"]`)!;
      const time = (col: string) => cell(col).querySelector("time")?.dataset.value ?? null;
      return {
        symbol: (tr as HTMLElement).dataset.symbol!,
        count: Number(cell("count").dataset.value),
        followups: Number(cell("followups").dataset.value),
        earliest: time("earliest"),
        latest: time("latest"),
      };
    }),
  );
  return rows.sort((a, b) => a.symbol.localeCompare(b.symbol));
}

/** Waits until the page has shown the range `/dashboard/range/<lower>/<upper>`. */
async function shown(page: Page, lower: string, upper: string) {
  const path = `/dashboard/range/${encodeURIComponent(lower)}/${encodeURIComponent(upper)}`;
  await page.waitForFunction((p) => document.body.dataset.range === p, { timeout: 20_000 }, path);
  return path;
}

/** Types a range into the picker (the inputs' own format) and presses Show with the keyboard. */
async function pickRange(page: Page, from: string, to: string) {
  await page.$eval("#lower", (input, value) => ((input as HTMLInputElement).value = value), from);
  await page.$eval("#upper", (input, value) => ((input as HTMLInputElement).value = value), to);
  await page.focus("#apply");
  await page.keyboard.press("Enter");
}

/**
 * Functions handed to the page are compiled by tsx, whose output calls a `__name` helper that
 * only exists in Node: give the page a stand-in before its scripts run.
 */
async function newPage(chromium: TestBrowser, timezone: string): Promise<Page> {
  const page = await chromium.browser.newPage();
  await page.evaluateOnNewDocument("globalThis.__name = (f) => f;");
  await page.emulateTimezone(timezone);
  return page;
}

/** Pixels a canvas has drawn (not transparent). */
const drawnPixels = (page: Page, id: string) =>
  page.$eval(`#${id}`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });

const expectedOf = (api: SymbolAggregate[]): TableRow[] =>
  api.map(({ symbol, count, followups, earliest, latest }) => ({
    symbol,
    count,
    followups,
    earliest,
    latest,
  }));

describe("the dashboard page in a real browser (chromium)", function () {
  this.timeout(180_000);
  // The product backend when the stores are there, the sqlite baseline otherwise.
  const factory = STORES_AVAILABLE ? graphBackend : sqliteBackend;
  const events = generateEventStream({
    sessions: 1500,
    days: 3,
    seed: 1404,
    start: utcDay(-3),
  }).filter((e) => e.at < nowMicros() - 60_000_000);
  let backend: BackendUnderTest;
  let server: TestServer;
  let chromium: TestBrowser;
  let page: Page;

  before(async () => {
    chromium = await launchBrowser();
    backend = await factory.open(historyThenNow(events));
    await feedEvents(backend.data, events);
    server = await serve(backend.data);
    // Then the real client, for a live hour.
    const summary = await runLoad({
      baseUrl: server.url,
      iterations: 300,
      concurrency: 4,
      letters: frequencyLetterStream(seededRandom(5)),
      random: seededRandom(6),
    });
    expect(summary.errors, summary.errorSamples.join("\n")).to.equal(0);
    if (factory === graphBackend) await untilGraphCurrent(backend.data as GraphBackend);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
    await backend?.close();
  });

  async function openPage(timezone: string) {
    page = await newPage(chromium, timezone);
    await page.setViewport({ width: 1280, height: 900 });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${server.url}/`, { waitUntil: "load" });
    await page.waitForFunction(() => Number(document.body.dataset.refreshes) >= 1, {
      timeout: 20_000,
    });
    expect(errors).to.deep.equal([]);
    return page;
  }

  afterEach(async () => {
    await page?.close();
  });

  it("when a UTC range is picked, then the table's numbers equal the API's and the request carries the bounds typed", async () => {
    await openPage("UTC");
    await page.select("#zone", "UTC");
    await pickRange(page, `${utcDay(-2)}T06:30:00`, `${utcDay(-1)}T18:00:00`);
    const path = await shown(
      page,
      `${utcDay(-2)}T06:30:00.000+00:00`,
      `${utcDay(-1)}T18:00:00.000+00:00`,
    );
    const api = await getJson<SymbolAggregate[]>(
      server.url,
      `/dashboard/range/${utcDay(-2)} 06:30:00/${utcDay(-1)} 18:00:00`,
    );
    expect(api.status).to.equal(200);
    expect(await readTable(page), path).to.deep.equal(expectedOf(api.json));
    expect(api.json.reduce((n, a) => n + a.count, 0)).to.be.above(300);
  });

  it("when 'Last 7 days' is pressed, then the table equals the API's answer for the bounds it asked", async () => {
    await openPage("UTC");
    const asked: string[] = [];
    page.on("request", (request) => asked.push(request.url()));
    await page.click('[data-preset="week"]');
    await page.waitForFunction(
      () => document.querySelector('[data-preset="week"]')!.getAttribute("aria-pressed") === "true",
    );
    const path = await page.waitForFunction(
      () => {
        const range = document.body.dataset.range ?? "";
        const [lower, upper] = range.split("/").slice(3).map(decodeURIComponent);
        const span = Date.parse(upper!) - Date.parse(lower!);
        return span === 7 * 86_400_000 ? range : false;
      },
      { timeout: 20_000 },
    );
    const rangePath = (await path.jsonValue()) as string;
    expect(asked.some((url) => url.endsWith(rangePath))).to.equal(true);
    const api = await getJson<SymbolAggregate[]>(server.url, rangePath);
    expect(await readTable(page)).to.deep.equal(expectedOf(api.json));
    // Everything fed is in the last 7 days: the history and the client's sessions.
    const initials = events.filter((e) => e.kind === "initial").length + 300;
    expect(api.json.reduce((n, a) => n + a.count, 0)).to.equal(initials);
  });

  it("when the viewer is in New York and picks a local day, then the request has -05:00 bounds and the table equals the API's for those instants in UTC", async () => {
    await openPage("America/New_York");
    const local = await page.$eval("#zone-local", (option) => option.textContent);
    expect(local).to.match(/America\/New_York, UTC-05:00/);
    expect(await page.$eval("#offset", (o) => o.textContent)).to.equal("UTC-05:00");
    await pickRange(page, `${utcDay(-2)}T00:00:00`, `${utcDay(-1)}T00:00:00`);
    const path = await shown(
      page,
      `${utcDay(-2)}T00:00:00.000-05:00`,
      `${utcDay(-1)}T00:00:00.000-05:00`,
    );
    const api = await getJson<SymbolAggregate[]>(
      server.url,
      `/dashboard/range/${utcDay(-2)}T05:00:00Z/${utcDay(-1)}T05:00:00Z`,
    );
    expect(await readTable(page), path).to.deep.equal(expectedOf(api.json));
    expect(api.json.reduce((n, a) => n + a.count, 0)).to.be.above(300);
    // Times are shown in the viewer's zone.
    const first = api.json.find((a) => a.earliest !== null)!;
    const shownTime = await page.$eval(
      `#letters tr[data-symbol="${first.symbol}"] [data-col="earliest"] time`,
      (t) => t.textContent,
    );
    const utc = Date.parse(`${first.earliest!.slice(0, 19).replace(" ", "T")}Z`);
    const newYork = new Date(utc - 5 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
    expect(shownTime).to.equal(newYork);
  });

  it("when data is shown, then both charts are drawn and the line chart follows the ticked letters", async () => {
    await openPage("UTC");
    await page.click('[data-preset="week"]');
    await page.waitForFunction(() =>
      (document.body.dataset.range ?? "").includes("/dashboard/range/"),
    );
    await page.waitForFunction(
      () => document.querySelector("#series-caption")!.textContent!.startsWith("Per hour"),
      { timeout: 20_000 },
    );
    expect(await drawnPixels(page, "bar-chart")).to.be.above(2000);
    expect(await drawnPixels(page, "line-chart")).to.be.above(2000);

    const seriesAsked: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/dashboard/series/")) seriesAsked.push(request.url());
    });
    await page.click("#plot-e");
    await page.click("#plot-t");
    await page.waitForFunction(
      () => document.querySelector("#series-caption")!.textContent!.includes("letters e, t"),
      { timeout: 20_000 },
    );
    expect(seriesAsked.some((url) => url.endsWith("grain=hour&symbol=e"))).to.equal(true);
    expect(seriesAsked.some((url) => url.endsWith("grain=hour&symbol=t"))).to.equal(true);
    const lines = await page.evaluate(() =>
      (
        window as unknown as {
          Chart: {
            getChart(id: string): { data: { datasets: { label: string; data: number[] }[] } };
          };
        }
      ).Chart.getChart("line-chart")!.data.datasets.map((d) => ({
        label: d.label,
        total: d.data.reduce((a, b) => a + b, 0),
      })),
    );
    expect(lines.map((l) => l.label)).to.deep.equal([
      "Initials (e)",
      "Followups (e)",
      "Initials (t)",
      "Followups (t)",
    ]);
    const table = await readTable(page);
    expect(lines[0]!.total).to.equal(table.find((r) => r.symbol === "e")!.count);
    expect(lines[2]!.total).to.equal(table.find((r) => r.symbol === "t")!.count);
  });

  it("when a column heading is used from the keyboard, then the table sorts by it", async () => {
    await openPage("UTC");
    await page.click('[data-preset="week"]');
    await page.waitForFunction(() => (document.body.dataset.range ?? "").length > 0);
    await page.focus('th[data-key="count"] button');
    await page.keyboard.press("Enter");
    expect(await page.$eval('th[data-key="count"]', (th) => th.getAttribute("aria-sort"))).to.equal(
      "descending",
    );
    // The week's numbers may still be arriving: the table must settle sorted by them.
    const sortedByCount = () =>
      Array.from(document.querySelectorAll<HTMLElement>("#letters tbody tr [data-col='count']"))
        .map((c) => Number(c.dataset.value))
        .every((value, i, all) => i === 0 || all[i - 1]! >= value);
    // Polled on a timer (not on animation frames, which a busy headless tab may not paint).
    await page.waitForFunction(sortedByCount, { timeout: 20_000, polling: 100 }).catch(() => {}); // the assertion below says what the table showed instead
    // Both read in one go, so that they describe the same table.
    const { counts, shownRows } = await page.$eval("#letters tbody", (body) => {
      const rows = Array.from(body.querySelectorAll("tr"));
      return {
        counts: rows.map((r) =>
          Number(r.querySelector<HTMLElement>("[data-col='count']")!.dataset.value),
        ),
        shownRows: rows
          .map((r) => `${r.getAttribute("data-symbol")}:${r.children[2]!.textContent}`)
          .join(" "),
      };
    });
    expect(counts, shownRows).to.deep.equal([...counts].sort((a, b) => b - a));
    await page.keyboard.press("Enter");
    expect(await page.$eval('th[data-key="count"]', (th) => th.getAttribute("aria-sort"))).to.equal(
      "ascending",
    );
    // The explore links open Neo4j Browser with a query of cypher/explore.cypher in its editor.
    const links = await page.$$eval("#explore a", (as) =>
      as.map((a) => (a as HTMLAnchorElement).href),
    );
    expect(links.length).to.be.at.least(5);
    for (const link of links) expect(new URL(link).searchParams.get("cmd")).to.equal("edit");
    expect(new URL(links[1]!).searchParams.get("arg")).to.match(/^MATCH \(s:Symbol\)/);
  });
});

describe("the dashboard page when a store stops (chromium)", function () {
  this.timeout(120_000);
  let backend: BackendUnderTest;
  let server: TestServer;
  let chromium: TestBrowser;
  const broken = { now: false };

  before(async () => {
    chromium = await launchBrowser();
    backend = await sqliteBackend.open();
    await backend.data.logInitial("0f8fad5b-d9cb-469f-a165-70867728950e", "e", true);
    // Every read fails as the graph backend's do when Neo4j is down, while `broken.now`.
    const reads =
      (name: keyof DataInterface) =>
      (...args: unknown[]) => {
        if (broken.now) {
          throw new StoreUnavailableError(
            "Neo4j",
            "the graph cannot be reached (stopped by the test)",
          );
        }
        return (backend.data[name] as (...a: unknown[]) => unknown).apply(backend.data, args);
      };
    const flaky = {
      ...Object.fromEntries(
        (["logInitial", "logFollowup", "close"] as const).map((n) => [n, reads(n)]),
      ),
      symbolAggregates: reads("symbolAggregates"),
      rangeAggregates: reads("rangeAggregates"),
      seriesAggregates: reads("seriesAggregates"),
    } as unknown as DataInterface;
    server = await serve(flaky);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
    await backend?.close();
  });

  it("when the API answers 503, then the page says so, keeps the numbers it had, and recovers", async () => {
    const page = await newPage(chromium, "UTC");
    await page.goto(`${server.url}/`, { waitUntil: "load" });
    await page.waitForFunction(() => Number(document.body.dataset.refreshes) >= 1, {
      timeout: 20_000,
    });
    expect(await page.$eval("#alert", (a) => (a as HTMLElement).hidden)).to.equal(true);
    broken.now = true;
    await page.waitForFunction(() => !(document.querySelector("#alert") as HTMLElement).hidden, {
      timeout: 20_000,
    });
    const message = await page.$eval("#alert", (a) => a.textContent);
    expect(message).to.match(/store is unavailable.*Neo4j is unavailable.*stopped by the test/);
    expect(message).to.match(/may be stale/);
    expect(await page.$eval("#alert", (a) => (a as HTMLElement).dataset.status)).to.equal("503");
    expect(await page.$eval("#letters", (t) => t.classList.contains("stale"))).to.equal(true);
    // The last numbers are still there.
    expect(
      await page.$eval('tr[data-symbol="e"] [data-col="count"]', (c) => c.textContent),
    ).to.equal("1");

    broken.now = false;
    await page.waitForFunction(() => (document.querySelector("#alert") as HTMLElement).hidden, {
      timeout: 20_000,
    });
    expect(await page.$eval("#letters", (t) => t.classList.contains("stale"))).to.equal(false);
    await page.close();
  });
});
