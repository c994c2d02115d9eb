import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { LogReader } from "../../../lib/log/log-reader.js";
import { importGraph } from "../../../ops/graph-import.js";

describe("the bulk import's CSV export", () => {
  let base: string;
  let savedTmpdir: string | undefined;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-export-spec-"));
    savedTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = base; // where os.tmpdir(), and so the export, goes
  });
  afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    fs.rmSync(base, { recursive: true, force: true });
  });

  it("when written, then it is in a private directory (0700, files 0600), removed afterwards", async () => {
    // An empty log: the export still writes every file, with its headers.
    const log = {
      logId: async () => "spec",
      snapshot: (consume: (heads: Map<number, number>, events: AsyncIterable<never>) => unknown) =>
        consume(new Map(), (async function* () {})()),
    } as unknown as LogReader;
    let seen: { dir: string; dirMode: string; files: Record<string, string> } | undefined;
    await importGraph(log, "neo4j-test", async (phase, work) => {
      if (phase !== "import") return work();
      // Instead of provision/neo4j-import.sh (which stops a server): what it would be given.
      const [name] = fs.readdirSync(base);
      const dir = path.join(base, name!);
      const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
      const files = Object.fromEntries(
        fs.readdirSync(dir).map((file) => [file, mode(path.join(dir, file))]),
      );
      seen = { dir, dirMode: mode(dir), files };
      return undefined as never;
    });
    expect(seen, "the import phase ran").not.to.equal(undefined);
    expect(seen!.dirMode).to.equal("700");
    expect(Object.keys(seen!.files)).to.include.members(["sessions.csv", "projection.csv"]);
    for (const [file, mode] of Object.entries(seen!.files)) expect(mode, file).to.equal("600");
    expect(fs.existsSync(seen!.dir), "removed afterwards").to.equal(false);
  });
});
