import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Where a local Neo4j server keeps its data, and what that costs on disk. */

/** The neo4j.conf of a running Neo4j JVM: beside the jars of its class path (lib/*), or null. */
function confOf(pid: number): string | null {
  let args: string[];
  try {
    args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return null;
  }
  const classPath = args[args.indexOf("-cp") + 1] ?? "";
  for (const entry of classPath.split(":")) {
    const conf = path.join(path.dirname(entry), "neo4j.conf");
    if (entry.endsWith("/*") && fs.existsSync(conf)) return fs.readFileSync(conf, "utf8");
  }
  return null;
}

const setting = (conf: string | null, name: string) =>
  conf === null
    ? null
    : (new RegExp(`^${name.replace(/\./g, "\\.")}=(.*)$`, "m").exec(conf)?.[1]?.trim() ?? null);

/** A running Neo4j server's data directory, from its neo4j.conf. */
export const neo4jDataDir = (pid: number) => setting(confOf(pid), "server.directories.data");

/** Its page cache size as configured (e.g. "1536m"). */
export const neo4jPageCache = (pid: number) => setting(confOf(pid), "server.memory.pagecache.size");

const duBytes = (dir: string) =>
  fs.existsSync(dir)
    ? Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0])
    : null;

/**
 * Bytes on disk of the default database's store files and of its transaction logs. The store
 * lags the graph until the next checkpoint; the logs include preallocated space.
 */
export function neo4jDiskBytes(dataDir: string) {
  return {
    store: duBytes(path.join(dataDir, "databases", "neo4j")),
    transactionLogs: duBytes(path.join(dataDir, "transactions", "neo4j")),
  };
}
