import { loadConfig, type Config } from "../lib/config.js";

/**
 * The scratch stores shared by the tests (spec/support/) and the benchmark (bench/): MariaDB
 * database `og_test` and the Neo4j test instance on Bolt 7688, known to provision/services.sh as
 * `neo4j-test`; never the service's own data. NEO4J_SERVER matters: a bulk-import rebuild stops
 * and restarts that server. MARIADB_TEST_DATABASE, NEO4J_TEST_URI and NEO4J_TEST_SERVICE
 * override.
 */
export function scratchStoreEnv(env: NodeJS.ProcessEnv = process.env): {
  MARIADB_DATABASE: string;
  NEO4J_URI: string;
  NEO4J_SERVER: string;
} {
  return {
    MARIADB_DATABASE: env.MARIADB_TEST_DATABASE ?? `${env.MARIADB_DATABASE || "og"}_test`,
    NEO4J_URI: env.NEO4J_TEST_URI ?? "bolt://127.0.0.1:7688",
    NEO4J_SERVER: env.NEO4J_TEST_SERVICE ?? "neo4j-test",
  };
}

/** The graph backend's configuration over the scratch stores. */
export function scratchConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig({ ...env, DATA_INTERFACE: "graph", ...scratchStoreEnv(env) });
}
