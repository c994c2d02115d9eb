import { spawnSync } from "node:child_process";
import fs from "node:fs";

/**
 * CPU time from /proc (Linux): what each process of a measurement spent, in ticks of
 * utime + stime (/proc/<pid>/stat fields 14 and 15), turned into milliseconds.
 */

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
export const TICKS_PER_SECOND = (() => {
  const answer = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const ticks = Number(answer.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

interface Stat {
  ppid: number;
  /** utime + stime */
  ticks: number;
  /** cutime + cstime: children already waited for */
  childTicks: number;
}

/** /proc/<pid>/stat, or null when the process is gone (or this is not Linux). */
function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): field n is fields[n - 3].
  return {
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
    childTicks: Number(fields[13]) + Number(fields[14]),
  };
}

/** CPU seconds (user + system) process `pid` has used so far, or null when it is gone. */
export function cpuSecondsOf(pid: number): number | null {
  const stat = readStat(pid);
  return stat ? stat.ticks / TICKS_PER_SECOND : null;
}

function allPids(): number[] {
  try {
    return fs
      .readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** `root` and every descendant alive now (an API server's cluster workers, say). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const stat = readStat(pid);
    if (!stat) continue;
    if (!children.has(stat.ppid)) children.set(stat.ppid, []);
    children.get(stat.ppid)!.push(pid);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** The pid of the process listening on TCP `port` (any address), or null. Needs to see its fds (root, or the same user). */
export function pidListeningOn(port: number): number | null {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = fs.readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const localPort = parseInt(cols[1]!.split(":").at(-1)!, 16);
      if (localPort === port && cols[3] === "0A") inodes.add(cols[9]!);
    }
  }
  if (inodes.size === 0) return null;
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = "";
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match && inodes.has(match[1]!)) return pid;
    }
  }
  return null;
}

/** Busy and total ticks of the whole machine (all cores) from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/**
 * Which processes one measurement watches: each a name and how to find its pids now (a tree is
 * enumerated at both ends, so workers forked meanwhile count from their start).
 */
export type Watched = Record<string, () => number[]>;

export interface CpuUsage {
  /** Wall-clock seconds between start and stop. */
  seconds: number;
  /** CPU milliseconds per watched name. */
  cpuMs: Record<string, number>;
  /** Children of this process that exited meanwhile (wrk, the Node client): their CPU ms. */
  reapedChildrenMs: number;
  /** Cores the whole machine kept busy on average (anything else running shows here). */
  machineBusyCores: number;
  /** Of those, the cores nobody watched used (the rest of the machine, this process excluded). */
  otherCores: number;
}

/** Starts counting; `stop()` returns what each watched group spent meanwhile. */
export function startCpuMeter(watched: Watched): { stop(): CpuUsage } {
  const msPerTick = 1000 / TICKS_PER_SECOND;
  const snapshot = () => {
    const groups: Record<string, Map<number, number>> = {};
    for (const [name, pids] of Object.entries(watched)) {
      const ticks = new Map<number, number>();
      for (const pid of pids()) {
        const stat = readStat(pid);
        if (stat) ticks.set(pid, stat.ticks);
      }
      groups[name] = ticks;
    }
    return { groups, self: readStat(process.pid), machine: machineTicks(), at: performance.now() };
  };
  const before = snapshot();
  return {
    stop() {
      const after = snapshot();
      const cpuMs: Record<string, number> = {};
      let watchedTicks = 0;
      for (const [name, ticks] of Object.entries(after.groups)) {
        let sum = 0;
        for (const [pid, end] of ticks) sum += end - (before.groups[name]!.get(pid) ?? 0);
        cpuMs[name] = sum * msPerTick;
        watchedTicks += sum;
      }
      const reapedTicks = (after.self?.childTicks ?? 0) - (before.self?.childTicks ?? 0);
      const selfTicks = (after.self?.ticks ?? 0) - (before.self?.ticks ?? 0);
      const machineBusy = after.machine.busy - before.machine.busy;
      const machineTotal = after.machine.total - before.machine.total;
      const seconds = (after.at - before.at) / 1000;
      const cores = machineTotal > 0 ? machineTotal / (seconds * TICKS_PER_SECOND) : NaN;
      const busyShare = machineTotal > 0 ? machineBusy / machineTotal : NaN;
      const otherTicks = machineBusy - watchedTicks - reapedTicks - selfTicks;
      return {
        seconds,
        cpuMs,
        reapedChildrenMs: reapedTicks * msPerTick,
        machineBusyCores: busyShare * cores,
        otherCores: machineTotal > 0 ? (otherTicks / machineTotal) * cores : NaN,
      };
    },
  };
}
