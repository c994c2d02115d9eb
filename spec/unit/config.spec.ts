import { expect } from "chai";
import { ConfigError, loadConfig } from "../../lib/config.js";

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
});
