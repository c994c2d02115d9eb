import { DEFAULTS, loadConfig, testStoreEnv, type Config } from "../lib/config.js";

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

/** A setting of the tests' stores, or its default (config/defaults.env) when unset or empty. */
function testSetting(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  return value === undefined || value === "" ? DEFAULTS[name]! : value;
}

/**
 * The tests' second Neo4j server, with its own full projection of the scratch log: Bolt 7690,
 * known to provision/services.sh as `neo4j-test-read` (NEO4J_TEST_READ_URI and
 * NEO4J_TEST_READ_SERVER override them), for the specs of "one of two Neo4j servers stopped".
 */
export function testReadNeo4jUri(env: NodeJS.ProcessEnv = process.env): string {
  return testSetting(env, "NEO4J_TEST_READ_URI");
}

/** The provision/services.sh name of the tests' second Neo4j server. */
export function testReadNeo4jServer(env: NodeJS.ProcessEnv = process.env): string {
  return testSetting(env, "NEO4J_TEST_READ_SERVER");
}

/** NEO4J_URIS for both of the tests' Neo4j servers: the test server first, then the second. */
export function testNeo4jUris(env: NodeJS.ProcessEnv = process.env): string {
  return `${scratchStoreEnv(env).NEO4J_URI},${testReadNeo4jUri(env)}`;
}
