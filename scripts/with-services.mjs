// Runs a command after making sure MariaDB and Neo4j are installed and running, unless
// DATA_INTERFACE names a baseline (null, sqlite) that needs neither. `npm start`, `npm test`
// and the graph tools go through here, so one command works on a fresh machine. Only the local
// servers that the configured addresses point at are provisioned (provision/ensure.sh decides);
// an address elsewhere is connected to as given.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/with-services.mjs COMMAND [ARGS...]");
  process.exit(2);
}

const backend = process.env.DATA_INTERFACE || "graph";
if (backend === "graph") {
  const ensured = spawnSync("bash", [path.join(root, "provision", "ensure.sh")], {
    stdio: "inherit",
  });
  if (ensured.status !== 0) {
    console.error("could not set up MariaDB and Neo4j; see the messages above");
    process.exit(ensured.status ?? 1);
  }
}

const child = spawn(command, args, { stdio: "inherit", shell: false, env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on("error", (error) => {
  console.error(`${command}: ${error.message}`);
  process.exit(127);
});
