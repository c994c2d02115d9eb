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
