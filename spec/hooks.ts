// Root hooks: nothing global yet; the graph specs add theirs.
export const mochaHooks = {};
