import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import {
  ConfigError,
  DEFAULTS,
  isManagedServer,
  loadConfig,
  parseDefaults,
  PROJECT_ROOT,
  testStoreEnv,
} from "../../lib/config.js";
import {
  testNeo4jUris,
  testReadNeo4jServer,
  testReadNeo4jUri,
} from "../../scratch/scratch-stores.js";

describe("configuration", () => {
  it("when nothing is set, then SPEC's defaults apply", () => {
    const config = loadConfig({});
    expect(config.port).to.equal(5000);
    expect(config.host).to.equal("0.0.0.0");
    expect(config.dataInterface).to.equal("graph");
    expect(config.mariadb).to.deep.equal({
      host: "127.0.0.1",
      port: 3306,
      user: "og",
      password: "og",
      database: "og",
    });
    expect(config.neo4j).to.deep.equal({
      uri: "bolt://127.0.0.1:7687",
      uris: ["bolt://127.0.0.1:7687"],
      user: "neo4j",
      password: "vowelgraph",
      server: "neo4j",
      browserUrl: "",
    });
    expect(config.logLevel).to.equal("info");
    expect(config.sqlitePath).to.match(/data\/vowelgraph\.sqlite$/);
  });

  it("when every variable is set, then each is used", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "127.0.0.1",
      DATA_INTERFACE: "sqlite",
      SQLITE_PATH: "/tmp/x.sqlite",
      MARIADB_HOST: "db",
      MARIADB_PORT: "3307",
      MARIADB_USER: "u",
      MARIADB_PASSWORD: "p",
      MARIADB_DATABASE: "d",
      NEO4J_URI: "bolt://graph:7687",
      NEO4J_USER: "n",
      NEO4J_PASSWORD: "secret",
      NEO4J_SERVER: "neo4j-test",
      NEO4J_BROWSER_URL: "http://graph:7474/browser/",
      LOG_LEVEL: "warn",
    });
    expect(config).to.deep.include({ port: 8080, host: "127.0.0.1", dataInterface: "sqlite" });
    expect(config.sqlitePath).to.equal("/tmp/x.sqlite");
    expect(config.mariadb).to.deep.equal({
      host: "db",
      port: 3307,
      user: "u",
      password: "p",
      database: "d",
    });
    expect(config.neo4j).to.deep.equal({
      uri: "bolt://graph:7687",
      uris: ["bolt://graph:7687"],
      user: "n",
      password: "secret",
      server: "neo4j-test",
      browserUrl: "http://graph:7474/browser/",
    });
    expect(config.logLevel).to.equal("warn");
  });

  it("when a value is invalid, then it refuses to start and names the variable", () => {
    expect(() => loadConfig({ DATA_INTERFACE: "mongo" })).to.throw(ConfigError, /DATA_INTERFACE/);
    expect(() => loadConfig({ PORT: "http" })).to.throw(ConfigError, /PORT/);
    expect(() => loadConfig({ PORT: "70000" })).to.throw(ConfigError, /PORT/);
    expect(() => loadConfig({ MARIADB_PORT: "-1" })).to.throw(ConfigError, /MARIADB_PORT/);
    expect(() => loadConfig({ LOG_LEVEL: "loud" })).to.throw(ConfigError, /LOG_LEVEL.*info/);
  });

  it("when the tests' stores are asked for, then their own servers, overridable", () => {
    expect(testStoreEnv({})).to.deep.equal({
      MARIADB_HOST: "127.0.0.1",
      MARIADB_PORT: "3307",
      MARIADB_DATABASE: "og_test",
      NEO4J_URI: "bolt://127.0.0.1:7688",
      NEO4J_SERVER: "neo4j-test",
    });
    expect(
      testStoreEnv({
        MARIADB_TEST_HOST: "db",
        MARIADB_TEST_PORT: "4000",
        MARIADB_TEST_DATABASE: "og_test_x",
        NEO4J_TEST_URI: "bolt://127.0.0.1:7700",
        NEO4J_TEST_SERVER: "other",
      }),
    ).to.deep.equal({
      MARIADB_HOST: "db",
      MARIADB_PORT: "4000",
      MARIADB_DATABASE: "og_test_x",
      NEO4J_URI: "bolt://127.0.0.1:7700",
      NEO4J_SERVER: "other",
    });
  });
});

describe("the tests' second Neo4j server (bench/bench-stores.ts)", () => {
  it("when nothing is set, then neo4j-test-read on Bolt 7690, listed after the test server", () => {
    expect(testReadNeo4jUri({})).to.equal("bolt://127.0.0.1:7690");
    expect(testReadNeo4jServer({})).to.equal("neo4j-test-read");
    expect(testNeo4jUris({})).to.equal("bolt://127.0.0.1:7688,bolt://127.0.0.1:7690");
    expect(loadConfig({ NEO4J_URIS: testNeo4jUris({}) }).neo4j.uris).to.have.length(2);
  });

  it("when NEO4J_TEST_READ_URI / NEO4J_TEST_READ_SERVER are set, then they win", () => {
    const env = { NEO4J_TEST_READ_URI: "bolt://graph2:7800", NEO4J_TEST_READ_SERVER: "other" };
    expect(testReadNeo4jUri(env)).to.equal("bolt://graph2:7800");
    expect(testReadNeo4jServer(env)).to.equal("other");
    expect(testNeo4jUris({ ...env, NEO4J_TEST_URI: "bolt://graph1:7700" })).to.equal(
      "bolt://graph1:7700,bolt://graph2:7800",
    );
  });
});

describe("defaults (config/defaults.env)", () => {
  const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

  it("when read, then every line is a comment, blank, or a plain KEY=value", () => {
    for (const line of read("config/defaults.env").split("\n")) {
      expect(line, "a line of config/defaults.env").to.match(/^(#.*|[A-Z][A-Z0-9_]*=[^"'$`\s]*|)$/);
    }
  });

  it("when .env.example gives a value, set or commented out, then it is the default", () => {
    const example = parseDefaults(read(".env.example").replace(/^# /gm, ""));
    expect(Object.keys(example)).to.have.length.above(15);
    for (const [key, value] of Object.entries(example)) {
      expect(value, key).to.equal(DEFAULTS[key]);
    }
  });

  it("when lib/config.ts reads a variable, then .env.example lists it and defaults.env defines it", () => {
    const example = parseDefaults(read(".env.example").replace(/^# /gm, ""));
    const names = [...read("lib/config.ts").matchAll(/(?:text|integer)\(env, "([A-Z0-9_]+)"/g)].map(
      (match) => match[1]!,
    );
    expect(names).to.include.members(["PORT", "MARIADB_PORT", "MARIADB_TEST_PORT", "NEO4J_URI"]);
    for (const name of names) {
      expect(example, `.env.example lists ${name}`).to.have.property(name);
      expect(DEFAULTS, `defaults.env defines ${name}`).to.have.property(name);
    }
  });
});

describe("which local server a bulk import may replace", () => {
  it("when the URI is the named server's loopback Bolt port, then it may", () => {
    expect(isManagedServer("bolt://127.0.0.1:7688", "neo4j-test", {})).to.equal(true);
    expect(isManagedServer("neo4j://localhost:7687", "neo4j", {})).to.equal(true);
    expect(
      isManagedServer("bolt://127.0.0.1:7791", "neo4j-test", { NEO4J_TEST_BOLT_PORT: "7791" }),
    ).to.equal(true);
  });

  it("when the URI is another port, another host or the server unknown, then it may not", () => {
    expect(isManagedServer("bolt://127.0.0.1:7760", "neo4j-test", {})).to.equal(false);
    expect(isManagedServer("bolt://10.1.2.3:7688", "neo4j-test", {})).to.equal(false);
    expect(isManagedServer("bolt://127.0.0.1:7688", "neo4j-elsewhere", {})).to.equal(false);
  });
});
