import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { DEFAULTS, PROJECT_ROOT } from "../../lib/config.js";

const LIB = path.join(PROJECT_ROOT, "provision", "lib.sh");
const INSTALL = path.join(PROJECT_ROOT, "provision", "install.sh");

/**
 * Runs a bash snippet with provision/lib.sh sourced, in a clean environment (no settings file,
 * no inherited MARIADB_* / NEO4J_*), plus `env`.
 */
function bash(script: string, env: Record<string, string> = {}) {
  const result = spawnSync("bash", ["-c", `set -euo pipefail; . "${LIB}"; ${script}`], {
    env: { PATH: process.env.PATH, LANG: "C.UTF-8", VG_SETTINGS_FILE: "/nonexistent", ...env },
    encoding: "utf8",
    // stdin not a socket: bash would read ~/.bashrc for a "remote shell" otherwise
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("provision scripts (bash, no servers touched)", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-provision-spec-"));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("vg_render", () => {
    it("when values hold &, \\, /, quotes, spaces or @KEY@, then they pass through unchanged", () => {
      const values: Record<string, string> = {
        AMP: "p&q && &",
        BACKSLASH: "a\\b\\\\c\\&d\\n",
        SLASH: "/etc/x//y/",
        QUOTES: `"double" 'single' \`back\``,
        SPACES: "  two  spaces\tand a tab ",
        OTHER: "@AMP@ stays as it is",
        EMPTY: "",
      };
      const template = path.join(tmp, "t.in");
      fs.writeFileSync(
        template,
        Object.keys(values)
          .map((key) => `${key.toLowerCase()}=@${key}@`)
          .join("\n") + "\nrepeated=@AMP@@AMP@\nuntouched=user@host, a @ b\n",
      );
      const args = Object.entries(values)
        .map(([key, value]) => `'${key}=${value.replaceAll("'", `'\\''`)}'`)
        .join(" ");
      const result = bash(`vg_render '${template}' ${args}`);
      expect(result.stderr).to.equal("");
      expect(result.status).to.equal(0);
      const expected =
        Object.entries(values)
          .map(([key, value]) => `${key.toLowerCase()}=${value}`)
          .join("\n") + `\nrepeated=${values.AMP}${values.AMP}\nuntouched=user@host, a @ b\n`;
      expect(result.stdout).to.equal(expected);
    });

    it("when a template needs a value that is not given, then it fails and names it", () => {
      const template = path.join(tmp, "t.in");
      fs.writeFileSync(template, "port=@PORT@\nhost=@HOST@\n");
      const result = bash(`vg_render '${template}' PORT=1`);
      expect(result.status).to.equal(1);
      expect(result.stderr).to.match(/HOST/);
    });
  });

  describe("defaults", () => {
    it("when nothing is set, then the scripts use config/defaults.env, as lib/config.ts does", () => {
      const keys = Object.keys(DEFAULTS).filter((key) => !/SIZE$|PAGECACHE$|HEAP$/.test(key));
      const result = bash(keys.map((key) => `printf '%s=%s\\n' ${key} "$${key}"`).join("; "));
      expect(result.stderr).to.equal("");
      const seen = Object.fromEntries(
        result.stdout
          .trim()
          .split("\n")
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      expect(seen).to.deep.equal(Object.fromEntries(keys.map((key) => [key, DEFAULTS[key]])));
    });

    it("when a memory default is RAM/N:MIN, then it is a share of the machine's memory with that floor", () => {
      const result = bash(
        'echo "$(vg_mem_total) $MARIADB_BUFFER_POOL_SIZE $NEO4J_PAGECACHE $(vg_mem_size RAM/1000000:300m) $(vg_mem_size RAM/1000000:2G) $(vg_mem_size 77m)"',
      );
      expect(result.status, result.stderr).to.equal(0);
      const [total, pool, pagecache, floor, floorG, given] = result.stdout.trim().split(" ");
      expect(Number(total)).to.be.above(0);
      expect(pool).to.equal(`${Math.max(Math.floor(Number(total) / 16), 256)}M`);
      expect(pagecache).to.equal(`${Math.max(Math.floor(Number(total) / 8), 256)}m`);
      expect([floor, floorG, given]).to.deep.equal(["300m", "2048M", "77m"]);
    });

    it("when a cgroup limits the memory below the RAM (a container), then the sizes are shares of the limit", () => {
      const cgroup = (version: "v1" | "v2", bytes: string) => {
        const root = path.join(tmp, version);
        const file =
          version === "v1"
            ? path.join(root, "memory", "memory.limit_in_bytes")
            : path.join(root, "memory.max");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, `${bytes}\n`);
        return bash(
          'echo "$(vg_mem_total) $NEO4J_HEAP $NEO4J_PAGECACHE $MARIADB_BUFFER_POOL_SIZE"',
          {
            VG_CGROUP_ROOT: root,
          },
        ).stdout.trim();
      };
      const fourGiB = String(4 * 1024 ** 3);
      // The VM's 4 GiB: every share at its floor but the Neo4j page cache (4096 / 8).
      expect(cgroup("v1", fourGiB)).to.equal("4096 512m 512m 256M");
      expect(cgroup("v2", fourGiB)).to.equal("4096 512m 512m 256M");
      // No limit ("max", or v1's huge number): the RAM.
      const memTotalKiB = /^MemTotal:\s+(\d+)/m.exec(fs.readFileSync("/proc/meminfo", "utf8"))![1]!;
      const ram = String(Math.floor(Number(memTotalKiB) / 1024));
      expect(cgroup("v2", "max").split(" ")[0]).to.equal(ram);
      expect(cgroup("v1", "9223372036854771712").split(" ")[0]).to.equal(ram);
    });

    it("when the environment sets a value, then it wins over the settings file and the defaults", () => {
      const settings = path.join(tmp, "vowelgraph");
      fs.writeFileSync(settings, '# comment\nMARIADB_PORT=4000\nNEO4J_HEAP="3g"\nPORT=1\n');
      const result = bash('echo "$MARIADB_PORT $NEO4J_HEAP $NEO4J_USER $PORT"', {
        VG_SETTINGS_FILE: settings,
        MARIADB_PORT: "5000",
      });
      // The settings file holds MARIADB_* and NEO4J_* only; PORT there is ignored.
      expect(result.stdout.trim()).to.equal(`5000 3g neo4j ${DEFAULTS.PORT}`);
    });
  });

  describe("which servers ensure.sh provisions", () => {
    const managed = (env: Record<string, string>) =>
      bash(
        'for s in mariadb mariadb-test neo4j neo4j-test; do vg_managed "$s" && echo -n "$s "; done; echo',
        env,
      ).stdout.trim();

    it("when the addresses are the defaults, then all four local servers", () => {
      expect(managed({})).to.equal("mariadb mariadb-test neo4j neo4j-test");
    });

    it("when an address is loopback by another name, then still the local server", () => {
      expect(
        managed({
          MARIADB_HOST: "localhost",
          NEO4J_URI: "neo4j://[::1]:7687",
          NEO4J_TEST_URI: "bolt://localhost:7688/",
        }),
      ).to.equal("mariadb mariadb-test neo4j neo4j-test");
    });

    it("when an address points elsewhere (another port or host), then not that server", () => {
      expect(managed({ MARIADB_PORT: "13306" })).to.equal("mariadb-test neo4j neo4j-test");
      expect(managed({ MARIADB_HOST: "db.example" })).to.equal("mariadb-test neo4j neo4j-test");
      expect(managed({ MARIADB_TEST_PORT: "3306" })).to.equal("mariadb neo4j neo4j-test");
      expect(managed({ NEO4J_URI: "bolt://127.0.0.1:17687" })).to.equal(
        "mariadb mariadb-test neo4j-test",
      );
      expect(managed({ NEO4J_URI: "bolt://graph.example" })).to.equal(
        "mariadb mariadb-test neo4j-test",
      );
      expect(managed({ NEO4J_TEST_URI: "bolt://127.0.0.1:7700" })).to.equal(
        "mariadb mariadb-test neo4j",
      );
    });

    it("when the server itself moves (MARIADB_SERVER_PORT, NEO4J_BOLT_PORT) with the address, then managed", () => {
      expect(
        managed({
          MARIADB_PORT: "13306",
          MARIADB_SERVER_PORT: "13306",
          NEO4J_URI: "bolt://127.0.0.1:17687",
          NEO4J_BOLT_PORT: "17687",
        }),
      ).to.equal("mariadb mariadb-test neo4j neo4j-test");
    });

    it("when nothing is switched, then the tests' second Neo4j server is provisioned and the service's is not", () => {
      const readServers = (env: Record<string, string>) =>
        bash(
          'for s in neo4j-read neo4j-test-read; do vg_managed "$s" && echo -n "$s "; done; echo "| $(vg_neo4j_instances | paste -sd" ")"',
          env,
        ).stdout.trim();
      expect(readServers({})).to.equal("neo4j-test-read | neo4j neo4j-test neo4j-test-read");
      expect(readServers({ NEO4J_READ_INSTANCE: "1", NEO4J_TEST_READ_INSTANCE: "0" })).to.equal(
        "neo4j-read | neo4j neo4j-read neo4j-test",
      );
      expect(readServers({ NEO4J_TEST_READ_URI: "bolt://127.0.0.1:7700" })).to.equal(
        "| neo4j neo4j-test neo4j-test-read",
      );
    });

    it("when a test instance is switched off, then it is not provisioned", () => {
      expect(managed({ MARIADB_TEST_INSTANCE: "0", NEO4J_TEST_INSTANCE: "0" })).to.equal(
        "mariadb neo4j",
      );
    });
  });

  describe("targets: what each command installs and starts", () => {
    const targets = (args: string, env: Record<string, string> = {}) => {
      const result = bash(`vg_targets ${args} && echo "\${VG_SERVERS[*]} | \${VG_TOOLS[*]}"`, env);
      return result.status === 0 ? result.stdout.trim() : `exit ${result.status}`;
    };

    it("when npm start asks for the service's servers, then MariaDB and Neo4j only: no test server, no tool", () => {
      expect(targets("service")).to.equal("mariadb neo4j |");
      expect(targets("service", { NEO4J_READ_INSTANCE: "1" })).to.equal(
        "mariadb neo4j neo4j-read |",
      );
    });

    it("when npm test asks for its servers and chromium, then the tests' three servers and the browser", () => {
      expect(targets("tests chromium")).to.equal(
        "mariadb-test neo4j-test neo4j-test-read | chromium",
      );
      expect(targets("tests", { NEO4J_TEST_READ_INSTANCE: "0" })).to.equal(
        "mariadb-test neo4j-test |",
      );
    });

    it("when nothing or all is named, then every server and tool, each once", () => {
      const all = "mariadb mariadb-test neo4j neo4j-test neo4j-test-read | chromium wrk";
      expect(targets("")).to.equal(all);
      expect(targets("all service mariadb wrk")).to.equal(all);
    });

    it("when a name is unknown, then exit 2", () => {
      expect(targets("tests mariadb-tset")).to.equal("exit 2");
    });
  });

  describe("root through sudo", () => {
    // A stand-in sudo that shows how it was called, and a caller that is not root.
    const asUser = (env: Record<string, string>) => {
      const bin = path.join(tmp, "bin");
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, "sudo"), '#!/bin/sh\necho "sudo $*"\n', { mode: 0o755 });
      const script =
        'export -n VG_SETTINGS_FILE; vg_is_root() { false; }; vg_require_root /x/install.sh tests; echo "not re-executed"';
      return bash(script, {
        ...env,
        PATH: `${bin}:${process.env.PATH}`,
      });
    };

    it("when a user runs a script with none of the MARIADB_/NEO4J_/VG_ variables set, then it re-executes through sudo", () => {
      const result = asUser({});
      expect(result.stderr).to.equal("");
      expect(result.stdout.trim()).to.equal("sudo -- bash /x/install.sh tests");
    });

    it("when some are set, then sudo keeps exactly those", () => {
      const result = asUser({ MARIADB_PORT: "3316", VG_SYSTEMD: "no", OTHER: "x" });
      expect(result.stdout.trim()).to.equal(
        "sudo --preserve-env=MARIADB_PORT,VG_SYSTEMD -- bash /x/install.sh tests",
      );
    });
  });

  describe("whose processes", () => {
    it("when a container (another pid namespace) runs a server with the same command line, then the scripts see only this machine's", () => {
      // The same command line twice: once here, once in a new pid namespace, as a host sees its
      // containers' processes. (The name is passed in the environment, so that no command line
      // but the two stand-ins' holds it.)
      const result = bash(
        `export NAME="mariadbd --defaults-file=$VG_MARIADB_TEST_CNF"
        unshare --user --map-root-user --pid --fork bash -c 'exec -a "$NAME" sleep 60' &
        bash -c 'exec -a "$NAME" sleep 60' & here=$!
        for _ in $(seq 100); do [[ $(pgrep -f -- "$NAME" | wc -l) -ge 2 ]] && break; sleep 0.05; done
        echo "seen $(pgrep -f -- "$NAME" | wc -l) here $here ours $(vg_mariadb_test_pids | paste -sd, -)"
        # SIGKILL: the namespace's first process ignores SIGTERM from outside it.
        kill -KILL $(pgrep -f -- "$NAME") 2>/dev/null; wait`,
        { VG_MARIADB_TEST_CNF: path.join(tmp, "vowelgraph-test.cnf") },
      );
      expect(result.status, result.stderr).to.equal(0);
      const [, seen, here, ours] =
        /^seen (\d+) here (\d+) ours (\S*)$/.exec(result.stdout.trim()) ?? [];
      expect(seen, `${result.stdout} ${result.stderr}`).to.equal("2");
      expect(ours).to.equal(here);
    });
  });

  describe("passwords never on a command line", () => {
    const password = `p&q "x" y\\z/1's`;

    it("when the Neo4j HTTP probe logs in, then curl gets the credentials on stdin, not as arguments", () => {
      const result = bash(
        `curl() { printf 'ARGS %s\\n' "$*"; sed 's/^/STDIN /'; }
        vg_n4 neo4j; vg_neo4j_auth_status neo4j "$PW"`,
        { PW: password },
      );
      expect(result.status, result.stderr).to.equal(0);
      const args = result.stdout.split("\n").filter((line) => line.startsWith("ARGS"));
      expect(args.join("\n")).to.include("-K -").and.not.include("y\\z");
      // curl's config syntax: a double-quoted string, with \\ and \" escaped.
      expect(result.stdout).to.include(`STDIN user = "neo4j:p&q \\"x\\" y\\\\z/1's"`);
    });

    it("when the initial Neo4j password is set, then neo4j-admin gets it in an argument file", () => {
      const data = path.join(tmp, "data");
      const result = bash(
        `. "${INSTALL}"
        vg_as_neo4j() { { printf 'ARGS %s\\n' "$*"; local f="\${*: -1}"; f="\${f#@}"; stat -c 'MODE %a' "$f"; sed 's/^/FILE /' "$f"; } >&2; }
        vg_n4 neo4j; N4_DATA_DIR="${data}"; set_initial_password`,
        { PW: password, NEO4J_PASSWORD: password, NEO4J_SERVICE_USER: os.userInfo().username },
      );
      expect(result.status, result.stderr).to.equal(0);
      const args = result.stderr.split("\n").find((line) => line.startsWith("ARGS"))!;
      expect(args).to.match(/set-initial-password @\/\S+$/);
      expect(args).not.to.include("y\\z");
      expect(result.stderr).to.include("MODE 600");
      // picocli's argument-file syntax: one double-quoted argument, \\ and \" escaped.
      expect(result.stderr).to.include(`FILE "p&q \\"x\\" y\\\\z/1's"`);
    });

    it("when the scripts are read, then no curl -u and no password argument is left", () => {
      for (const file of fs.readdirSync(path.join(PROJECT_ROOT, "provision"))) {
        if (!file.endsWith(".sh")) continue;
        const text = fs.readFileSync(path.join(PROJECT_ROOT, "provision", file), "utf8");
        expect(text, file).not.to.match(/curl[^\n]* -u /);
        expect(text, file).not.to.match(/set-initial-password "\$/);
        expect(text, file).not.to.match(/\s-p"?\$[A-Z_]*PASSWORD/);
      }
    });
  });

  describe("the API's systemd unit", () => {
    it("when rendered, then it runs the built code as an unprivileged user, hardened, and never builds", () => {
      const unitFile = path.join(tmp, "vowelgraph.service");
      const result = bash(`vg_api_unit /vagrant "$APP_USER" "$PORT" /usr/bin/node >"${unitFile}"`);
      expect(result.status, result.stderr).to.equal(0);
      const unit = fs.readFileSync(unitFile, "utf8");
      const settings = unit.split("\n").filter((line) => /^[A-Za-z]+=/.test(line));
      expect(settings).to.include.members([
        "User=vowelgraph",
        "ExecStart=/usr/bin/node /vagrant/dist/lib/main.js",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "ReadWritePaths=-/vagrant/data",
        "CapabilityBoundingSet=",
        "Environment=PORT=5000",
      ]);
      expect(unit).not.to.match(/^ExecStart.*(npm|ensure|install|tsc)/m);
      expect(unit).not.to.match(/^(ExecStartPre|ExecStartPost)=/m);
      // A checkout under /home stays readable.
      expect(bash("vg_api_unit /home/me/vg vowelgraph 5000 /usr/bin/node").stdout).to.match(
        /^ProtectHome=read-only$/m,
      );
      const analyze = spawnSync("systemd-analyze", ["verify", "--man=no", unitFile], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      if (analyze.error === undefined) {
        // Only the units it names (mariadb, Neo4j) may be missing on a machine without them.
        const problems = analyze.stderr
          .split("\n")
          .filter(
            (line) => line.includes(unitFile) || /Unknown|Invalid|Failed to parse/i.test(line),
          );
        expect(problems, analyze.stderr).to.deep.equal([]);
      }
    });
  });

  describe("install.sh on a fresh machine", () => {
    it("when nothing is there yet, then it writes every configuration without a false alarm on stderr", () => {
      const prefix = path.join(tmp, "root");
      const user = os.userInfo().username;
      const env = {
        VG_SYSTEMD: "no",
        VG_BIN_DIR: `${prefix}/opt/bin`,
        VG_MARIADB_CNF: `${prefix}/etc/mysql/mariadb.conf.d/60-vowelgraph.cnf`,
        VG_MARIADB_TEST_CNF: `${prefix}/etc/mysql/vowelgraph-test.cnf`,
        MARIADB_TEST_VAR_DIR: `${prefix}/var/lib/mariadb-test`,
        MARIADB_TEST_LOG_DIR: `${prefix}/var/log/mariadb-test`,
        MARIADB_SERVICE_USER: user,
        NEO4J_HOME: `${prefix}/opt/neo4j`,
        NEO4J_VAR_DIR: `${prefix}/var/lib/neo4j`,
        NEO4J_LOG_DIR: `${prefix}/var/log/neo4j`,
        NEO4J_TEST_VAR_DIR: `${prefix}/var/lib/neo4j-test`,
        NEO4J_TEST_LOG_DIR: `${prefix}/var/log/neo4j-test`,
        NEO4J_READ_VAR_DIR: `${prefix}/var/lib/neo4j-read`,
        NEO4J_READ_LOG_DIR: `${prefix}/var/log/neo4j-read`,
        NEO4J_TEST_READ_VAR_DIR: `${prefix}/var/lib/neo4j-test-read`,
        NEO4J_TEST_READ_LOG_DIR: `${prefix}/var/log/neo4j-test-read`,
        NEO4J_SERVICE_USER: user,
      };
      // install.sh's own functions on the fresh prefix; what needs packages, a JVM or running
      // servers (the launcher's dry run, the initial password, starting MariaDB) is stubbed.
      const result = bash(
        `. "${INSTALL}"
        install_neo4j_launcher() { echo "launcher $N4_NAME" >&2; return 1; }
        set_initial_password() { echo "password $N4_NAME" >&2; }
        RUNNING_BEFORE=""
        for name in mariadb mariadb-test; do vg_md "$name"; write_mariadb_cnf; done
        for name in "\${VG_NEO4J_NAMES[@]}"; do setup_neo4j_server 0 "$name"; done`,
        env,
      );
      expect(result.stderr).not.to.match(/No such file|ERROR|WARNING|line \d+/);
      expect(result.status, result.stderr).to.equal(0);
      for (const file of [
        env.VG_MARIADB_CNF,
        env.VG_MARIADB_TEST_CNF,
        `${env.NEO4J_HOME}/conf/neo4j.conf`,
        `${env.NEO4J_HOME}/conf-test/neo4j.conf`,
        `${env.NEO4J_HOME}/conf-read/neo4j.conf`,
        `${env.NEO4J_HOME}/conf-test-read/neo4j.conf`,
      ]) {
        expect(fs.readFileSync(file, "utf8"), file).not.to.match(/@[A-Z_]+@/);
      }
      const conf = fs.readFileSync(`${env.NEO4J_HOME}/conf/neo4j.conf`, "utf8");
      expect(conf).to.match(/^server\.default_listen_address=127\.0\.0\.1$/m);
      // The second servers: ports of their own, the tests' one small.
      const readConf = fs.readFileSync(`${env.NEO4J_HOME}/conf-read/neo4j.conf`, "utf8");
      expect(readConf).to.match(/^server\.bolt\.listen_address=:7689$/m);
      expect(readConf).to.match(/^server\.http\.listen_address=:7476$/m);
      const testReadConf = fs.readFileSync(`${env.NEO4J_HOME}/conf-test-read/neo4j.conf`, "utf8");
      expect(testReadConf).to.match(/^server\.bolt\.listen_address=:7690$/m);
      expect(testReadConf).to.match(/^server\.http\.listen_address=:7477$/m);
      expect(testReadConf).to.match(/^server\.memory\.heap\.max_size=256m$/m);
      expect(testReadConf).to.match(/^server\.memory\.pagecache\.size=\d+m$/m);
      const testCnf = fs.readFileSync(env.VG_MARIADB_TEST_CNF, "utf8");
      expect(testCnf).to.match(/^port = 3307$/m);
      expect(testCnf).to.match(/^bind-address = 127\.0\.0\.1$/m);
      // Data directories are not world-readable.
      for (const dir of [
        env.NEO4J_VAR_DIR,
        `${env.NEO4J_VAR_DIR}/data`,
        env.NEO4J_TEST_VAR_DIR,
        env.NEO4J_TEST_READ_VAR_DIR,
      ]) {
        expect(fs.statSync(dir).mode & 0o007, dir).to.equal(0);
      }
    });
  });
});
