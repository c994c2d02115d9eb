// Runs a command after making sure that what it needs is installed and running:
//   node scripts/with-services.mjs TARGET... -- COMMAND [ARGS...]
// TARGETs as provision/ensure.sh takes them: `service` (the API's MariaDB and Neo4j: npm start,
// the graph tools), `tests` (the servers of npm test and the bench, never the API's), and tools
// (chromium for the browser tests, wrk for the bench). So one command works on a fresh machine,
// and each installs and starts only its own. Only the local servers that the configured
// addresses point at are provisioned (ensure.sh decides); an address elsewhere is connected to
// as given, and DATA_INTERFACE=null or sqlite needs no server at all.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const separator = argv.indexOf("--");
const targets = separator > 0 ? argv.slice(0, separator) : [];
const [command, ...args] = separator > 0 ? argv.slice(separator + 1) : [];
if (!command) {
  console.error("usage: node scripts/with-services.mjs TARGET... -- COMMAND [ARGS...]");
  process.exit(2);
}

const ensured = spawnSync("bash", [path.join(root, "provision", "ensure.sh"), ...targets], {
  stdio: "inherit",
});
if (ensured.status !== 0) {
  console.error(`could not set up ${targets.join(", ")}; see the messages above`);
  process.exit(ensured.status ?? 1);
}

const child = spawn(command, args, { stdio: "inherit", shell: false, env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on("error", (error) => {
  console.error(`${command}: ${error.message}`);
  process.exit(127);
});
