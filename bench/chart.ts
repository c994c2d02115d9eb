import type { Backend, DashboardRow } from "./results.js";

const WIDTH = 860;
const HEIGHT = 520;
const MARGIN = { left: 80, right: 230, top: 40, bottom: 55 };

const COLORS: Record<Backend, string> = { graph: "#1f6fd1", sqlite: "#d1342f", null: "#7a7a7a" };
const DASHES: Record<string, string> = {
  "symbol -": "",
  "range day": "7 4",
  "range week": "2 3",
  "range all": "12 4 2 4",
};

/** 10^e as "10" with a raised exponent. */
const power = (e: number) => `10<tspan dy="-6" font-size="9">${e}</tspan>`;

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Dashboard p50 latency against stored events on log-log axes, one line per backend and
 * endpoint (range spans apart), as a hand-written SVG.
 */
export function renderChart(rows: readonly DashboardRow[]): string {
  const series = new Map<string, DashboardRow[]>();
  // The dense-minute ranges are measured at one size only: a table's, not a line's.
  rows = rows.filter((row) => `${row.endpoint} ${row.span}` in DASHES);
  for (const row of rows) {
    const key = `${row.backend} ${row.endpoint} ${row.span}`;
    if (!series.has(key)) series.set(key, []);
    series.get(key)!.push(row);
  }
  const sizes = rows.map((r) => r.events);
  const latencies = rows.map((r) => Math.max(r.p50_ms, 1e-3));
  if (rows.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n`;
  const [xMin, xMax] = [
    Math.floor(Math.log10(Math.min(...sizes))),
    Math.ceil(Math.log10(Math.max(...sizes))),
  ];
  const [yMin, yMax] = [
    Math.floor(Math.log10(Math.min(...latencies))),
    Math.ceil(Math.log10(Math.max(...latencies))),
  ];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (events: number) =>
    MARGIN.left + ((Math.log10(events) - xMin) / Math.max(1, xMax - xMin)) * plotW;
  const y = (latency: number) =>
    MARGIN.top +
    plotH -
    ((Math.log10(Math.max(latency, 1e-3)) - yMin) / Math.max(1, yMax - yMin)) * plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
      `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">` +
      "Dashboard p50 latency vs stored events (log-log)</text>",
  );
  for (let e = xMin; e <= xMax; e++) {
    const px = x(10 ** e).toFixed(1);
    out.push(
      `<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${MARGIN.top + plotH}" stroke="#e3e3e3"/>`,
      `<text x="${px}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${power(e)}</text>`,
    );
  }
  for (let e = yMin; e <= yMax; e++) {
    const py = y(10 ** e).toFixed(1);
    const label = e >= 3 ? `${10 ** (e - 3)} s` : `${Number((10 ** e).toPrecision(1))} ms`;
    // Between decades: faint lines at 2× and 5×, so that ratios can be read off.
    for (const factor of [2, 5]) {
      if (e === yMax) break;
      const fy = y(factor * 10 ** e).toFixed(1);
      out.push(
        `<line x1="${MARGIN.left}" y1="${fy}" x2="${MARGIN.left + plotW}" y2="${fy}" stroke="#f3f3f3"/>`,
      );
    }
    out.push(
      `<line x1="${MARGIN.left}" y1="${py}" x2="${MARGIN.left + plotW}" y2="${py}" stroke="#e3e3e3"/>`,
      `<text x="${MARGIN.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${label}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">stored events</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">p50 latency</text>`,
  );

  let legendY = MARGIN.top + 8;
  for (const [key, points] of series) {
    const { backend, endpoint, span } = points[0]!;
    points.sort((a, b) => a.events - b.events);
    const color = COLORS[backend];
    const dash = DASHES[`${endpoint} ${span}`] ?? "";
    const path = points
      .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.events).toFixed(1)},${y(p.p50_ms).toFixed(1)}`)
      .join(" ");
    out.push(
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"` +
        (dash ? ` stroke-dasharray="${dash}"` : "") +
        `><title>${escape(key)}</title></path>`,
    );
    for (const p of points) {
      out.push(
        `<circle cx="${x(p.events).toFixed(1)}" cy="${y(p.p50_ms).toFixed(1)}" r="3" fill="${color}">` +
          `<title>${escape(`${key} @${p.events} events: p50 ${p.p50_ms.toFixed(3)} ms`)}</title></circle>`,
      );
    }
    const lx = MARGIN.left + plotW + 16;
    out.push(
      `<line x1="${lx}" y1="${legendY}" x2="${lx + 36}" y2="${legendY}" stroke="${color}" stroke-width="2"` +
        (dash ? ` stroke-dasharray="${dash}"` : "") +
        "/>",
      `<text x="${lx + 44}" y="${legendY}" dominant-baseline="middle">` +
        `${escape(`${backend} ${endpoint === "symbol" ? "symbol" : `range ${span}`}`)}</text>`,
    );
    legendY += 20;
  }
  out.push("</svg>", "");
  return out.join("\n");
}
