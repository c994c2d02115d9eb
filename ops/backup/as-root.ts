import { spawnSync } from "node:child_process";

/**
 * The settings a command re-executed through sudo keeps (provision/lib.sh's VG_ENV_PATTERN):
 * the stores' addresses and accounts, the project's own knobs. Passwords travel in the
 * environment, never on a command line.
 */
const KEPT = /^(MARIADB_|NEO4J_|VG_|DATA_INTERFACE$|LOG_LEVEL$)/;

/**
 * Runs this Node command again as root through sudo when it is not root yet (reading the
 * service's datadir, its binary log and the backups needs root), then exits with its status.
 * Returns only in the root process.
 */
export function becomeRoot(what: string): void {
  if (process.getuid?.() === 0) return;
  const keep = Object.keys(process.env).filter((name) => KEPT.test(name));
  const check = spawnSync("sudo", ["--version"], { stdio: "ignore" });
  if (check.error) {
    console.error(
      `${what} needs root (the MariaDB files are the mysql account's), and sudo is missing`,
    );
    process.exit(1);
  }
  console.error(`${what}: needs root, running it again through sudo`);
  const again = spawnSync(
    "sudo",
    [
      ...(keep.length > 0 ? [`--preserve-env=${keep.join(",")}`] : []),
      "--",
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: "inherit" },
  );
  process.exit(again.status ?? 1);
}
