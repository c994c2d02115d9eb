/**
 * Whether this run has the real MariaDB and Neo4j: `npm test` starts them unless
 * DATA_INTERFACE names a baseline (null, sqlite), in which case the specs that need them are
 * not defined at all, so nothing is counted that did not run.
 */
export const STORES_AVAILABLE = (process.env.DATA_INTERFACE || "graph") === "graph";

/** `describe` for specs that need the real stores. */
export function describeWithStores(title: string, body: (this: Mocha.Suite) => void) {
  if (STORES_AVAILABLE) describe(title, body);
}
