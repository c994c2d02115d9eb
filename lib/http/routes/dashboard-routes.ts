import type { Express } from "express";
import type { DataInterface } from "../../backend/data-interface.js";
import { bucketCount, MAX_SERIES_BUCKETS, seriesSpan } from "../../model/series.js";
import { readTimestamp, SUPPORTED_TIMES, type Micros } from "../../model/timestamp.js";
import { BadRequestError } from "../http-errors.js";
import { seriesQuerySchema, symbolRequestSchema, TIME_BOUND_DESCRIPTION } from "../schemas.js";
import { validator } from "../validation.js";

const validateSymbol = validator(symbolRequestSchema);
const validateSeriesQuery = validator(seriesQuerySchema);

/** A coarser grain to suggest when a span has too many buckets. */
const COARSER = { minute: "hour", hour: "day", day: null } as const;

interface PathBounds {
  lower: string;
  upper: string;
}

/** Both bounds of a range path, in order; lower == upper is an empty range. */
function timeBounds({ lower: lowerText, upper: upperText }: PathBounds) {
  const lower = timeBound("lower", lowerText);
  const upper = timeBound("upper", upperText);
  if (lower > upper) {
    throw new BadRequestError(
      `lower "${lowerText}" is after upper "${upperText}": expected lower <= upper`,
    );
  }
  return { lower, upper };
}

function timeBound(name: string, text: string): Micros {
  const reading = readTimestamp(text);
  if ("micros" in reading) return reading.micros;
  if (reading.problem === "range") {
    throw new BadRequestError(`${name} "${text}" is out of range: ${SUPPORTED_TIMES}`);
  }
  throw new BadRequestError(`invalid ${name} "${text}": expected ${TIME_BOUND_DESCRIPTION}`);
}

/** The business users' endpoints: aggregates per symbol and per time range. */
export function registerDashboardRoutes(app: Express, data: DataInterface): void {
  app.get("/dashboard/symbol/:symbol", async (req, res) => {
    const { symbol } = validateSymbol({ symbol: req.params.symbol });
    res.json(await data.symbolAggregates(symbol.toLowerCase()));
  });

  app.get("/dashboard/range/:lower/:upper", async (req, res) => {
    const { lower, upper } = timeBounds(req.params);
    res.json(await data.rangeAggregates(lower, upper));
  });

  // Bounds are widened to whole buckets (lower down, upper up); the reply says which.
  app.get("/dashboard/series/:lower/:upper", async (req, res) => {
    const { lower, upper } = timeBounds(req.params);
    const { grain, symbol } = validateSeriesQuery({ ...req.query });
    const span = seriesSpan(lower, upper, grain);
    const buckets = bucketCount(span);
    if (buckets > MAX_SERIES_BUCKETS) {
      const coarser = COARSER[grain];
      throw new BadRequestError(
        `${req.params.lower} to ${req.params.upper} is ${buckets} ${grain} buckets; at most ` +
          `${MAX_SERIES_BUCKETS} are answered: ask for a shorter span` +
          (coarser ? ` or grain=${coarser}` : ""),
      );
    }
    res.json(await data.seriesAggregates(span.lower, span.upper, grain, symbol?.toLowerCase()));
  });
}
