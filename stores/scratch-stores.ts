import { loadConfig, testStoreEnv, type Config } from "../lib/config.js";

/**
 * The scratch stores shared by the tests (spec/support/) and the benchmark (bench/): database
 * `og_test` on the tests' own MariaDB server (`mariadb-test`, port 3307) and the Neo4j test
 * instance on Bolt 7688, known to provision/services.sh as `neo4j-test`; never the service's own
 * data or servers. The values and their overrides (MARIADB_TEST_HOST, MARIADB_TEST_PORT,
 * MARIADB_TEST_DATABASE, NEO4J_TEST_URI, NEO4J_TEST_SERVER) come from lib/config.ts.
 * NEO4J_SERVER matters: a bulk-import rebuild stops and restarts that server.
 */
export const scratchStoreEnv = (env: NodeJS.ProcessEnv = process.env) => testStoreEnv(env);

/** The graph backend's configuration over the scratch stores. */
export function scratchConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig({ ...env, DATA_INTERFACE: "graph", ...scratchStoreEnv(env) });
}
