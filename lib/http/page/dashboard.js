// The dashboard page: reads GET /dashboard/range and GET /dashboard/series every few seconds
// and draws them with Chart.js (served by the app from npm). No build step, no framework.
"use strict";

(() => {
  const REFRESH_MS = 5000;
  /** Past this without a good answer, the numbers on screen are called stale. */
  const STALE_MS = 3 * REFRESH_MS;
  const MAX_PLOTTED = 8;
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const MAX_BUCKETS = 1500;
  const LETTERS = "abcdefghijklmnopqrstuvwxyz".split("");
  const COLORS = [
    "#0b5cad",
    "#c2410c",
    "#15803d",
    "#7e22ce",
    "#b91c1c",
    "#0e7490",
    "#a16207",
    "#be185d",
  ];

  const $ = (id) => document.getElementById(id);
  const state = {
    preset: "today",
    /** The custom range's instants (ms), when no preset is chosen. */
    lower: 0,
    upper: 0,
    zone: "local",
    sort: { key: "symbol", dir: 1 },
    selected: new Set(),
    rows: [],
    lastGood: 0,
    inFlight: false,
    again: false,
    refreshes: 0,
  };

  // --- time zones -------------------------------------------------------------------------

  const localZoneName = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  const pad = (n, w = 2) => String(n).padStart(w, "0");

  /** The offset of the chosen zone at instant `ms`, in minutes east of UTC. */
  const offsetAt = (ms) => (state.zone === "UTC" ? 0 : -new Date(ms).getTimezoneOffset());

  const offsetText = (minutes) => {
    const sign = minutes < 0 ? "-" : "+";
    const m = Math.abs(minutes);
    return `${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
  };

  /** Wall-clock fields of instant `ms` in the chosen zone. */
  function fields(ms) {
    const d = new Date(ms);
    if (state.zone === "UTC") {
      return [
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
      ];
    }
    return [
      d.getFullYear(),
      d.getMonth() + 1,
      d.getDate(),
      d.getHours(),
      d.getMinutes(),
      d.getSeconds(),
    ];
  }

  /** The instant of a wall-clock time in the chosen zone. */
  function instant(y, mo, d, h = 0, mi = 0, s = 0) {
    return state.zone === "UTC"
      ? Date.UTC(y, mo - 1, d, h, mi, s)
      : new Date(y, mo - 1, d, h, mi, s).getTime();
  }

  /** `YYYY-MM-DD HH:MM:SS` in the chosen zone. */
  function wallText(ms, withSeconds = true) {
    const [y, mo, d, h, mi, s] = fields(ms);
    return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}${withSeconds ? `:${pad(s)}` : ""}`;
  }

  /** A bound for the API: the wall-clock time in the chosen zone with its UTC offset. */
  function boundText(ms) {
    const [y, mo, d, h, mi, s] = fields(ms);
    const millis = pad(((ms % 1000) + 1000) % 1000, 3);
    return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${millis}${offsetText(offsetAt(ms))}`;
  }

  const inputText = (ms) => wallText(ms).replace(" ", "T");

  function parseInput(value) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
    return m ? instant(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] || 0)) : NaN;
  }

  /** An API time (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC) as ms; the fraction past ms is dropped. */
  const apiMs = (text) => Date.parse(`${text.slice(0, 23).replace(" ", "T")}Z`);

  function zoneLabel() {
    const now = Date.now();
    return state.zone === "UTC" ? "UTC" : `${localZoneName}, UTC${offsetText(offsetAt(now))}`;
  }

  // --- the range ----------------------------------------------------------------------------

  /** The instants [lower, upper) the current choice means right now. */
  function currentRange() {
    const now = Date.now();
    switch (state.preset) {
      case "hour":
        return { lower: now - HOUR, upper: now };
      case "today": {
        const [y, mo, d] = fields(now);
        return { lower: instant(y, mo, d), upper: instant(y, mo, d + 1) };
      }
      case "week":
        return { lower: now - 7 * DAY, upper: now };
      case "all":
        return { lower: Date.UTC(1970, 0, 1), upper: Date.UTC(2100, 0, 1), everything: true };
      default:
        return { lower: state.lower, upper: state.upper };
    }
  }

  function showRange(range) {
    if (!range.everything) {
      $("lower").value = inputText(range.lower);
      $("upper").value = inputText(range.upper);
    }
    for (const button of document.querySelectorAll("[data-preset]")) {
      button.setAttribute("aria-pressed", String(button.dataset.preset === state.preset));
    }
    $("offset").textContent =
      `UTC${offsetText(offsetAt(range.everything ? Date.now() : range.lower))}`;
    $("zone-local").textContent =
      `Local (${localZoneName}, UTC${offsetText(-new Date().getTimezoneOffset())})`;
    $("range-summary").textContent = range.everything
      ? `Showing every event, times in ${zoneLabel()}.`
      : `Showing ${wallText(range.lower)} up to ${wallText(range.upper)}, in ${zoneLabel()}.`;
  }

  // --- fetching -----------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function getJson(path) {
    let reply;
    try {
      reply = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
    } catch {
      throw new ApiError(0, "the service cannot be reached");
    }
    let body = null;
    try {
      body = await reply.json();
    } catch {
      // Not JSON: reported below by status.
    }
    if (!reply.ok) {
      throw new ApiError(reply.status, (body && body.error) || `HTTP ${reply.status}`);
    }
    return body;
  }

  const rangePath = (lower, upper) =>
    `/dashboard/range/${encodeURIComponent(boundText(lower))}/${encodeURIComponent(boundText(upper))}`;

  /** The finest grain that draws the span in a readable number of points. */
  function grainFor(span) {
    if (span <= 6 * HOUR) return { grain: "minute", width: MINUTE };
    if (span <= 62 * DAY) return { grain: "hour", width: HOUR };
    return { grain: "day", width: DAY };
  }

  /** What the line chart asks for: a span (everything: the events' own span) and a grain. */
  function seriesSpan(range, rows) {
    let { lower, upper } = range;
    if (range.everything) {
      const times = rows.filter((r) => r.count > 0);
      if (times.length === 0) return null;
      lower = Math.min(...times.map((r) => apiMs(r.earliest)));
      upper = Math.max(...times.map((r) => apiMs(r.latest))) + 1;
    }
    if (upper <= lower) return null;
    const { grain, width } = grainFor(upper - lower);
    let clipped = false;
    if ((upper - lower) / width > MAX_BUCKETS - 2) {
      lower = upper - (MAX_BUCKETS - 2) * width;
      clipped = true;
    }
    return { lower, upper, grain, width, clipped };
  }

  const seriesPath = (span, symbol) =>
    `/dashboard/series/${encodeURIComponent(boundText(span.lower))}/${encodeURIComponent(boundText(span.upper))}` +
    `?grain=${span.grain}${symbol ? `&symbol=${symbol}` : ""}`;

  async function refresh() {
    // A choice made while a refresh is under way is fetched right after it.
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.inFlight = true;
    const range = currentRange();
    showRange(range);
    const asked = rangePath(range.lower, range.upper);
    try {
      const rows = await getJson(asked);
      const span = seriesSpan(range, rows);
      const letters = [...state.selected].sort();
      const series = span
        ? await Promise.all(
            (letters.length ? letters : [null]).map(async (symbol) => ({
              symbol,
              reply: await getJson(seriesPath(span, symbol)),
            })),
          )
        : [];
      state.rows = rows;
      state.lastGood = Date.now();
      renderTable();
      renderBars();
      renderLines(span, series);
      setProblem(null);
      state.refreshes++;
      // What was last shown, for tests and for anyone reading the DOM.
      document.body.dataset.refreshes = String(state.refreshes);
      document.body.dataset.range = asked;
    } catch (error) {
      setProblem(error);
    } finally {
      state.inFlight = false;
    }
    if (state.again) {
      state.again = false;
      void refresh();
    }
  }

  function setProblem(error) {
    const alert = $("alert");
    const table = $("letters");
    const time = state.lastGood ? wallText(state.lastGood) : null;
    if (!error) {
      alert.hidden = true;
      alert.textContent = "";
      table.classList.remove("stale");
      $("status").textContent =
        `Updated ${time} (${zoneLabel()}); refreshes every ${REFRESH_MS / 1000} s.`;
      return;
    }
    const what =
      error.status === 503
        ? `A store is unavailable, so the numbers cannot be brought up to date: ${error.message}.`
        : error.status === 0
          ? "The service cannot be reached."
          : `The service refused the request: ${error.message}.`;
    const shown = time
      ? ` The numbers shown are from ${time} and may be stale.`
      : " No numbers yet.";
    alert.textContent = `${what}${shown} Retrying every ${REFRESH_MS / 1000} s.`;
    alert.hidden = false;
    alert.dataset.status = String(error.status);
    table.classList.toggle("stale", Boolean(state.lastGood));
    $("status").textContent = time ? `Last updated ${time}; stale.` : "Waiting for the service.";
  }

  /** Says "stale" when refreshes have stopped succeeding, even without an error (a hung tab). */
  function checkStale() {
    if (state.lastGood && Date.now() - state.lastGood > STALE_MS && $("alert").hidden) {
      setProblem(new ApiError(0, "no fresh answer"));
    }
  }

  // --- the table ----------------------------------------------------------------------------

  const rowsByLetter = new Map();

  const rateOf = (row) => (row.count > 0 ? row.followups / row.count : null);
  const percent = (rate) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);

  function timeCell(cell, text) {
    cell.replaceChildren();
    if (text === null) {
      cell.textContent = "—";
      return;
    }
    const time = document.createElement("time");
    time.dateTime = `${text.replace(" ", "T")}Z`;
    time.dataset.value = text;
    time.textContent = wallText(apiMs(text));
    cell.append(time);
  }

  function buildRows() {
    const body = $("letters").tBodies[0];
    for (const letter of LETTERS) {
      const tr = document.createElement("tr");
      tr.dataset.symbol = letter;
      const pick = document.createElement("td");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `plot-${letter}`;
      box.dataset.letter = letter;
      box.setAttribute("aria-label", `Plot ${letter} over time`);
      box.addEventListener("change", () => {
        if (box.checked && state.selected.size >= MAX_PLOTTED) {
          box.checked = false;
          $("status").textContent = `At most ${MAX_PLOTTED} letters are plotted at once.`;
          return;
        }
        if (box.checked) state.selected.add(letter);
        else state.selected.delete(letter);
        void refresh();
      });
      pick.append(box);
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = letter;
      tr.append(pick, name);
      for (const col of ["count", "followups", "rate", "earliest", "latest"]) {
        const td = document.createElement("td");
        td.dataset.col = col;
        if (["count", "followups", "rate"].includes(col)) td.className = "num";
        tr.append(td);
      }
      rowsByLetter.set(letter, tr);
      body.append(tr);
    }
  }

  function sortValue(row, key) {
    switch (key) {
      case "symbol":
        return row.symbol;
      case "rate":
        return rateOf(row);
      case "earliest":
      case "latest":
        return row[key];
      default:
        return row[key];
    }
  }

  function sortedRows() {
    const { key, dir } = state.sort;
    return [...state.rows].sort((a, b) => {
      const x = sortValue(a, key);
      const y = sortValue(b, key);
      // Empty values (no events) go last whichever the direction.
      if (x === null || y === null)
        return x === y ? a.symbol.localeCompare(b.symbol) : x === null ? 1 : -1;
      const order = x < y ? -1 : x > y ? 1 : 0;
      return order * dir || a.symbol.localeCompare(b.symbol);
    });
  }

  function renderTable() {
    const body = $("letters").tBodies[0];
    const focused = document.activeElement;
    const sorted = sortedRows();
    for (const row of sorted) {
      const tr = rowsByLetter.get(row.symbol);
      const cell = (col) => tr.querySelector(`[data-col="${col}"]`);
      cell("count").textContent = row.count.toLocaleString("en-US");
      cell("count").dataset.value = String(row.count);
      cell("followups").textContent = row.followups.toLocaleString("en-US");
      cell("followups").dataset.value = String(row.followups);
      cell("rate").textContent = percent(rateOf(row));
      timeCell(cell("earliest"), row.earliest);
      timeCell(cell("latest"), row.latest);
      tr.querySelector("input").checked = state.selected.has(row.symbol);
    }
    // Rows move only when the order changed, and focus stays where it was.
    const order = sorted.map((row) => row.symbol).join("");
    const shown = [...body.rows].map((tr) => tr.dataset.symbol).join("");
    if (order !== shown) {
      for (const row of sorted) body.append(rowsByLetter.get(row.symbol));
      if (focused instanceof HTMLElement && document.activeElement !== focused) focused.focus();
    }
    const total = state.rows.reduce(
      (t, r) => ({ count: t.count + r.count, followups: t.followups + r.followups }),
      { count: 0, followups: 0 },
    );
    const foot = $("letters").tFoot;
    const earliest =
      state.rows
        .map((r) => r.earliest)
        .filter(Boolean)
        .sort()[0] ?? null;
    const latest =
      state.rows
        .map((r) => r.latest)
        .filter(Boolean)
        .sort()
        .at(-1) ?? null;
    foot.querySelector('[data-col="count"]').textContent = total.count.toLocaleString("en-US");
    foot.querySelector('[data-col="followups"]').textContent =
      total.followups.toLocaleString("en-US");
    foot.querySelector('[data-col="rate"]').textContent = percent(
      total.count ? total.followups / total.count : null,
    );
    timeCell(foot.querySelector('[data-col="earliest"]'), earliest);
    timeCell(foot.querySelector('[data-col="latest"]'), latest);
    const caption = `Initial requests per letter in the range, with their followups (times in ${zoneLabel()})`;
    $("letters-caption").textContent = caption;
    $("letters-note").textContent = caption;
  }

  function setSort(key) {
    const dir = state.sort.key === key ? -state.sort.dir : key === "symbol" ? 1 : -1;
    state.sort = { key, dir };
    for (const th of document.querySelectorAll("#letters thead th[data-key]")) {
      th.setAttribute(
        "aria-sort",
        th.dataset.key === key ? (dir === 1 ? "ascending" : "descending") : "none",
      );
    }
    renderTable();
  }

  // --- the charts ---------------------------------------------------------------------------

  let bars = null;
  let lines = null;

  function renderBars() {
    const counts = state.rows.map((r) => r.count);
    const followups = state.rows.map((r) => r.followups);
    if (!bars) {
      bars = new Chart($("bar-chart"), {
        type: "bar",
        data: {
          labels: state.rows.map((r) => r.symbol),
          datasets: [
            { label: "Count", data: counts, backgroundColor: COLORS[0] },
            { label: "Followups", data: followups, backgroundColor: COLORS[1] },
          ],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true } },
        },
      });
      return;
    }
    bars.data.datasets[0].data = counts;
    bars.data.datasets[1].data = followups;
    bars.update("none");
  }

  function bucketLabel(ms, grain) {
    const text = wallText(ms, false);
    if (grain === "day") return text.slice(0, 10);
    if (grain === "hour") return text.slice(5, 16);
    return text.slice(11, 16);
  }

  function renderLines(span, series) {
    const caption = $("series-caption");
    if (!span) {
      caption.textContent = "No events in the range to draw over time.";
      if (lines) {
        lines.data.labels = [];
        lines.data.datasets = [];
        lines.update("none");
      }
      return;
    }
    const first = series[0].reply;
    const labels = first.buckets.map((b) => bucketLabel(apiMs(b.start), first.grain));
    const datasets = [];
    series.forEach(({ symbol, reply }, i) => {
      const color = COLORS[i % COLORS.length];
      const name = symbol ?? "all letters";
      datasets.push({
        label: `Initials (${name})`,
        data: reply.buckets.map((b) => b.initials),
        borderColor: color,
        backgroundColor: color,
        pointRadius: 0,
        borderWidth: 2,
        tension: 0,
      });
      datasets.push({
        label: `Followups (${name})`,
        data: reply.buckets.map((b) => b.followups),
        borderColor: color,
        backgroundColor: color,
        borderDash: [5, 4],
        pointRadius: 0,
        borderWidth: 1.5,
        tension: 0,
      });
    });
    const what =
      series.length === 1 && series[0].symbol === null
        ? "all letters together"
        : `letters ${series.map((s) => s.symbol).join(", ")}`;
    caption.textContent =
      `Per ${first.grain}, ${what}, ${wallText(apiMs(first.lower), false)} to ${wallText(apiMs(first.upper), false)} (${zoneLabel()})` +
      (first.grain === "day" ? "; day buckets are UTC days" : "") +
      (span.clipped ? `; only the last ${MAX_BUCKETS - 2} ${first.grain}s are drawn` : "") +
      ". Followups are counted with their session's initial.";
    if (!lines) {
      lines = new Chart($("line-chart"), {
        type: "line",
        data: { labels, datasets },
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true }, x: { ticks: { maxTicksLimit: 12, autoSkip: true } } },
        },
      });
      return;
    }
    lines.data.labels = labels;
    // Same datasets as before: update their numbers in place, so nothing flickers.
    const same =
      lines.data.datasets.length === datasets.length &&
      lines.data.datasets.every((d, i) => d.label === datasets[i].label);
    if (same) datasets.forEach((d, i) => (lines.data.datasets[i].data = d.data));
    else lines.data.datasets = datasets;
    lines.update("none");
  }

  // --- Neo4j Browser ------------------------------------------------------------------------

  async function renderExplore() {
    const list = $("explore");
    let explore;
    try {
      explore = await getJson("/dashboard/explore");
    } catch {
      list.textContent = "The queries could not be loaded.";
      return;
    }
    const derived = !explore.browserUrl;
    const base = explore.browserUrl || `${location.protocol}//${location.hostname}:7474/browser/`;
    for (const query of explore.queries) {
      const params = new URLSearchParams();
      if (derived) params.set("connectURL", `neo4j://${location.hostname}:7687`);
      params.set("cmd", "edit");
      params.set("arg", query.cypher);
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `${base}?${params}`;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = query.title;
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = "Show the query";
      const pre = document.createElement("pre");
      pre.textContent = query.cypher;
      details.append(summary, pre);
      item.append(link, details);
      list.append(item);
    }
  }

  // --- wiring -------------------------------------------------------------------------------

  function start() {
    buildRows();
    for (const button of document.querySelectorAll("[data-preset]")) {
      button.addEventListener("click", () => {
        state.preset = button.dataset.preset;
        void refresh();
      });
    }
    $("range-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const lower = parseInput($("lower").value);
      const upper = parseInput($("upper").value);
      if (!Number.isFinite(lower) || !Number.isFinite(upper) || lower > upper) {
        setProblem(new ApiError(400, "choose a From time before the To time"));
        return;
      }
      Object.assign(state, { preset: null, lower, upper });
      void refresh();
    });
    $("zone").addEventListener("change", () => {
      state.zone = $("zone").value;
      void refresh();
    });
    for (const th of document.querySelectorAll("#letters thead th[data-key]")) {
      th.querySelector("button").addEventListener("click", () => setSort(th.dataset.key));
    }
    $("clear-selection").addEventListener("click", () => {
      state.selected.clear();
      void refresh();
    });
    showRange(currentRange());
    void renderExplore();
    void refresh();
    setInterval(() => {
      checkStale();
      if (!document.hidden) void refresh();
    }, REFRESH_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
