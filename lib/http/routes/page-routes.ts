import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import express, { type Express, type RequestHandler } from "express";
import { PROJECT_ROOT } from "../../config.js";

/** The page's own files: HTML, CSS and a script, no build step. */
const PAGE_DIR = path.join(PROJECT_ROOT, "lib", "http", "page");
/** Chart.js as npm installed it: served by the app, no CDN. */
const CHART_JS = path.join(
  path.dirname(createRequire(import.meta.url).resolve("chart.js")),
  "chart.umd.min.js",
);

export interface ExploreQuery {
  title: string;
  cypher: string;
}

/**
 * The numbered queries of cypher/explore.cypher: each starts at a comment "// N. title", its
 * further comment lines are notes, and its Cypher runs to the next blank line.
 */
export function exploreQueries(text: string): ExploreQuery[] {
  const queries: ExploreQuery[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.trim().split("\n");
    const heading = /^\/\/\s*\d+\.\s*(.*)$/.exec(lines[0] ?? "");
    if (!heading) continue;
    const title = [heading[1]!];
    let i = 1;
    for (; i < lines.length && lines[i]!.startsWith("//"); i++) {
      title.push(lines[i]!.replace(/^\/\/\s*/, ""));
    }
    const cypher = lines.slice(i).join("\n").trim().replace(/;$/, "");
    if (cypher) queries.push({ title: title.join(" "), cypher });
  }
  return queries;
}

const EXPLORE = exploreQueries(
  fs.readFileSync(path.join(PROJECT_ROOT, "cypher", "explore.cypher"), "utf8"),
);

/** Names the route of files served outside the router, for the request metrics. */
const routeLabel =
  (label: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.route = label;
    next();
  };

/** The dashboard page for business users, at / and /dashboard/, and what it loads. */
export function registerPageRoutes(app: Express, options: { neo4jBrowserUrl: string }): void {
  const index = path.join(PAGE_DIR, "index.html");
  const sendIndex: RequestHandler = (_req, res) => {
    res.set("Cache-Control", "no-cache").sendFile(index);
  };
  app.get("/", sendIndex);
  // Without strict routing this is /dashboard and /dashboard/ (the page's links are absolute).
  app.get("/dashboard/", sendIndex);
  app.use(
    "/dashboard/assets",
    routeLabel("/dashboard/assets"),
    express.static(PAGE_DIR, { index: false, maxAge: 0 }),
  );
  app.get("/dashboard/vendor/chart.umd.min.js", (_req, res) => {
    res.set("Cache-Control", "public, max-age=86400").sendFile(CHART_JS);
  });
  // What the page links to in Neo4j Browser; an empty URL means "this host, port 7474".
  app.get("/dashboard/explore", (_req, res) => {
    res.json({ browserUrl: options.neo4jBrowserUrl, queries: EXPLORE });
  });
}
