import type { SymbolAggregate } from "../lib/model/aggregates.js";
import { SYMBOLS } from "../lib/model/symbols.js";
import { MICROS_PER_DAY, parseTimestamp } from "../lib/model/timestamp.js";
import type { GraphBackend } from "../lib/backend/graph-backend.js";
import { LogTruth } from "./log-truth.js";

export interface Difference {
  question: string;
  graph: SymbolAggregate;
  log: SymbolAggregate;
}

function compare(question: string, graph: SymbolAggregate[], log: SymbolAggregate[]) {
  const differences: Difference[] = [];
  graph.forEach((entry, i) => {
    if (JSON.stringify(entry) !== JSON.stringify(log[i])) {
      differences.push({ question, graph: entry, log: log[i]! });
    }
  });
  return differences;
}

/**
 * Asks the graph every dashboard question the log can check cheaply (each symbol, each UTC
 * day with events, and the whole span) and compares each answer with SQL over the raw log.
 */
export async function verifyGraph(backend: GraphBackend) {
  const truth = new LogTruth(backend.pool);
  const symbols = await Promise.all(SYMBOLS.map((s) => backend.symbolAggregates(s)));
  const differences = compare("symbol totals", symbols, await truth.symbolAggregates());

  const days = await truth.dailyAggregates();
  for (const [day, expected] of days) {
    const lower = parseTimestamp(day)!;
    const answer = await backend.rangeAggregates(lower, lower + MICROS_PER_DAY);
    differences.push(...compare(`range ${day}`, answer, expected));
  }
  const [first, last] = [[...days.keys()][0], [...days.keys()].at(-1)];
  if (first && last) {
    const lower = parseTimestamp(first)!;
    const upper = parseTimestamp(last)! + MICROS_PER_DAY;
    const answer = await backend.rangeAggregates(lower, upper);
    const expected = await truth.rangeAggregates(lower, upper);
    differences.push(...compare(`range ${first}..${last}`, answer, expected));
  }
  return { questions: SYMBOLS.length + days.size + 1, differences };
}
