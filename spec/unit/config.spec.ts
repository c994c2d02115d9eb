import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import {
  ConfigError,
  DEFAULTS,
  loadConfig,
  parseDefaults,
  PROJECT_ROOT,
  testStoreEnv,
} from "../../lib/config.js";

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
    });
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
    });
  });

  it("when a value is invalid, then it refuses to start and names the variable", () => {
    expect(() => loadConfig({ DATA_INTERFACE: "mongo" })).to.throw(ConfigError, /DATA_INTERFACE/);
    expect(() => loadConfig({ PORT: "http" })).to.throw(ConfigError, /PORT/);
    expect(() => loadConfig({ PORT: "70000" })).to.throw(ConfigError, /PORT/);
    expect(() => loadConfig({ MARIADB_PORT: "-1" })).to.throw(ConfigError, /MARIADB_PORT/);
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
