import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { PROCESS_ROLE } from "../../lib/supervisor.js";

/**
 * The children named `node` of a supervised service's main process `pid` (a main process run
 * through tsx also has esbuild's service process as a child, when tsx's cache is cold, as in a
 * fresh clone).
 */
function nodeChildren(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-x", "node", "-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The role the main process forked a child for (its environment says), or null when gone. */
function roleOf(pid: number): string | null {
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    const entry = environ.find((e) => e.startsWith(`${PROCESS_ROLE}=`));
    return entry ? entry.slice(PROCESS_ROLE.length + 1) : null;
  } catch {
    return null;
  }
}

/** The API workers of a supervised service whose main process is `pid`. */
export function workerPids(pid: number): number[] {
  return nodeChildren(pid).filter((child) => roleOf(child) === "api");
}

/** Its projector process (PROJECTOR=process), as a list: empty while it is being replaced. */
export function projectorProcessPids(pid: number): number[] {
  return nodeChildren(pid).filter((child) => roleOf(child) === "projector");
}
