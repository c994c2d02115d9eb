import type { Config } from "../config.js"; import type { DataInterface } from "../data/data-interface.js";
export async function openGraphInterface(_config: Config): Promise<DataInterface> { throw new Error("not yet"); }
