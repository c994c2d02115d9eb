import { execFileSync } from "node:child_process";

/**
 * The API workers of a WORKERS service whose main process is `pid`: its children named `node`
 * (a main process run through tsx also has esbuild's service process as a child, when tsx's
 * cache is cold, as in a fresh clone).
 */
export function workerPids(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-x", "node", "-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The pid of the process listening on the Bolt port of `uri`: a test server's JVM. */
export function listeningPid(uri: string): number {
  const port = new URL(uri.replace(/^bolt/, "http")).port;
  const listing = execFileSync("ss", ["-Htlnp", `sport = :${port}`], { encoding: "utf8" });
  const pid = /pid=(\d+)/.exec(listing)?.[1];
  if (!pid) throw new Error(`no process listens on ${uri}:\n${listing}`);
  return Number(pid);
}
