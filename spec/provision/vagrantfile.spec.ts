import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { PROJECT_ROOT } from "../../lib/config.js";

/** The Vagrantfile's rsync__exclude list, as written (double-quoted strings). */
function vagrantExcludes(): string[] {
  const vagrantfile = fs.readFileSync(path.join(PROJECT_ROOT, "Vagrantfile"), "utf8");
  const list = /rsync__exclude:\s*(\[[^\]]*\])/.exec(vagrantfile)?.[1];
  if (!list) throw new Error("no rsync__exclude list in the Vagrantfile");
  return JSON.parse(list) as string[];
}

/**
 * The files that rsync sends from `source` with these excludes, as Vagrant runs it (its own
 * `.vagrant/` first, then the Vagrantfile's list): rsync's own filter, in a dry run.
 */
function rsyncSends(source: string, excludes: string[]): Set<string> {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-rsync-spec-"));
  try {
    const args = ["--dry-run", "--archive", "--out-format=%n"];
    for (const pattern of [".vagrant/", ...excludes]) args.push("--exclude", pattern);
    const result = spawnSync("rsync", [...args, `${source}/`, `${target}/`], { encoding: "utf8" });
    if (result.error)
      throw new Error(
        `rsync is needed for this test (apt-get install rsync): ${result.error.message}`,
      );
    expect(result.status, result.stderr).to.equal(0);
    return new Set(result.stdout.split("\n").filter((line) => line && !line.endsWith("/")));
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

/** Every file under `dir` (relative to `root`). */
function walk(root: string, dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? walk(root, path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    );
}

/** The tracked files under lib/ (git ls-files), or, in a copy without .git (the VM's /vagrant), every file there. */
function trackedLibFiles(): string[] {
  if (fs.existsSync(path.join(PROJECT_ROOT, ".git"))) {
    return execFileSync("git", ["ls-files", "lib"], { cwd: PROJECT_ROOT, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  }
  return walk(PROJECT_ROOT, "lib");
}

describe("the Vagrantfile's synced folder (rsync's own filter, dry run)", () => {
  it("when rsync applies the Vagrantfile's excludes to this tree, then every tracked file under lib/ is sent", () => {
    const tracked = trackedLibFiles();
    expect(tracked).to.include("lib/main.ts");
    const sent = rsyncSends(PROJECT_ROOT, vagrantExcludes());
    expect(
      tracked.filter((file) => !sent.has(file)),
      "tracked files left out",
    ).to.deep.equal([]);
  });

  it("when a folder is named like an excluded one below the top (lib/data/, spec/dist/), then it is sent; the top-level ones are not", () => {
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-rsync-tree-"));
    try {
      const files = [
        "lib/data/kept.ts",
        "lib/dist/kept.ts",
        "spec/node_modules/kept.ts",
        "ops/.git/kept",
        "data/left.sqlite",
        "dist/lib/left.js",
        "node_modules/x/left.js",
        ".git/left",
        ".vagrant/left",
      ];
      for (const file of files) {
        fs.mkdirSync(path.join(tree, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(tree, file), "");
      }
      const sent = [...rsyncSends(tree, vagrantExcludes())].sort();
      expect(sent).to.deep.equal(files.filter((file) => file.includes("kept")).sort());
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });
});
