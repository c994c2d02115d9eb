import fs from "node:fs";

/** A little-endian /proc/net hex word as dotted IPv4. */
const ipv4 = (hex: string) =>
  [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");

/** One listening socket: its address, IPv4 style, and its inode (new whenever a server restarts). */
export interface Listener {
  address: string;
  inode: string;
}

/**
 * The sockets listening on TCP `port` (/proc/net/tcp and tcp6, state 0A), readable by any user,
 * whoever owns them (unlike `ss -p`'s pids). A JVM's IPv6 socket on ::ffff:127.0.0.1 is
 * 127.0.0.1, its wildcard :: is 0.0.0.0.
 */
export function listeners(port: number): Listener[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const found: Listener[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (!cols[1]?.endsWith(`:${hexPort}`) || cols[3] !== "0A") continue;
      const hex = cols[1].split(":")[0]!;
      let address: string;
      if (hex.length === 8) address = ipv4(hex);
      else if (/^0{32}$/.test(hex)) address = "0.0.0.0";
      else if (hex.startsWith("0000000000000000FFFF0000")) address = ipv4(hex.slice(24));
      else address = hex === "00000000000000000000000001000000" ? "::1" : hex;
      found.push({ address, inode: cols[9]! });
    }
  }
  return found;
}

/** The distinct addresses listening on `port`, sorted. */
export function listenAddresses(port: number): string[] {
  return [...new Set(listeners(port).map((listener) => listener.address))].sort();
}
