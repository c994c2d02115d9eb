import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { PROJECT_ROOT } from "../../lib/config.js";

// The README's file map is what lies under this heading, up to the next heading. It names each
// path in backticks, relative to the repository's root (`lib/log/event-log.ts`, `ops/`).
const MAP_HEADING = "### File map";
// The files of lib/ that the map must name: code, and the page's markup, styles and script.
const MAP_FILE = /\.(ts|html|css|js)$/;
// A backticked token that is a path: no spaces, at least one slash.
const PATH_TOKEN = /^\.?[\w-]+(\/[\w.-]+)*\/?$/;

const read = (relative: string) => fs.readFileSync(path.join(PROJECT_ROOT, relative), "utf8");
const exists = (relative: string) => fs.existsSync(path.join(PROJECT_ROOT, relative));

/** Every file under `dir`, as paths relative to the root with forward slashes. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = `${dir}/${entry.name}`;
      return entry.isDirectory() ? filesUnder(relative) : [relative];
    })
    .sort();
}

const foldersIn = (dir: string) =>
  fs
    .readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

/** Top-level names git ignores (node_modules/, /dist/, …): not part of the tree to map. */
function ignoredTopLevel(): Set<string> {
  const names = read(".gitignore")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#") && !line.includes("*"))
    .map((line) => line.replace(/^\//, "").replace(/\/$/, ""))
    .filter((name) => !name.includes("/"));
  return new Set([".git", ...names]);
}

/** Markdown without its fenced code blocks and inline code: what is left can hold links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The README's file map section. */
function fileMap(): string {
  const readme = read("README.md");
  const start = readme.indexOf(`\n${MAP_HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${MAP_HEADING}" section`);
  const body = readme.slice(start + MAP_HEADING.length + 2);
  const end = body.search(/^#{1,6} /m);
  return end < 0 ? body : body.slice(0, end);
}

/** Every path the file map names in backticks. */
function mapPaths(): Set<string> {
  const tokens = [...fileMap().matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
  return new Set(tokens.filter((token) => PATH_TOKEN.test(token) && token.includes("/")));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a Markdown file's headings, with GitHub's -1, -2 … for repeats. */
function anchorsOf(relative: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const outsideCode = read(relative).replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const match of outsideCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(match[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The relative links and images of a Markdown file, as written. */
function relativeLinks(relative: string): string[] {
  const text = prose(read(relative));
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/<img\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!),
  ];
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** What is wrong with one link of `from`, or null when it leads somewhere that exists. */
function brokenLink(from: string, target: string): string | null {
  const [file = "", anchor] = target.split("#");
  const resolved = file
    ? path.posix.normalize(path.posix.join(path.posix.dirname(from), decodeURI(file)))
    : from;
  if (resolved.startsWith("../") || !exists(resolved)) {
    return `${from}: ${target} (no file ${resolved} in the repository)`;
  }
  if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) {
    return `${from}: ${target} (${resolved} has no heading #${anchor})`;
  }
  return null;
}

describe("the README's file map and the docs' links", () => {
  it("when a file is under lib/, then the README's file map names it", () => {
    const named = mapPaths();
    const missing = filesUnder("lib").filter((file) => MAP_FILE.test(file) && !named.has(file));
    expect(missing, "add a line for each of these to README.md's file map").to.deep.equal([]);
  });

  it("when the file map names a path, then it exists", () => {
    const gone = [...mapPaths()].filter((named) => !exists(named));
    expect(gone, "these paths of README.md's file map do not exist").to.deep.equal([]);
  });

  it("when a folder is at the top level or in spec/, then the file map names it", () => {
    const named = mapPaths();
    const ignored = ignoredTopLevel();
    const folders = [
      ...foldersIn(".")
        .filter((name) => !ignored.has(name))
        .map((name) => `${name}/`),
      ...foldersIn("spec").map((name) => `spec/${name}/`),
    ];
    const missing = folders.filter((folder) => !named.has(folder));
    expect(missing, "add a line for each of these folders to README.md's file map").to.deep.equal(
      [],
    );
  });

  it("when README.md or docs/ links to a relative path, then that file (and heading) exists", () => {
    const pages = ["README.md", ...filesUnder("docs").filter((file) => file.endsWith(".md"))];
    const broken = pages.flatMap((page) =>
      relativeLinks(page)
        .map((target) => brokenLink(page, target))
        .filter((problem): problem is string => problem !== null),
    );
    expect(broken, "mend these links").to.deep.equal([]);
  });
});
