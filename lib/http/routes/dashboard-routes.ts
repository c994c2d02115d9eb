import type { Express } from "express";
import type { DataInterface } from "../../data/data-interface.js";
import { readTimestamp, SUPPORTED_TIMES, type Micros } from "../../model/timestamp.js";
import { BadRequestError } from "../http-errors.js";
import { symbolRequestSchema, TIME_BOUND_DESCRIPTION } from "../schemas.js";
import { validator } from "../validation.js";

const validateSymbol = validator(symbolRequestSchema);

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
    const lower = timeBound("lower", req.params.lower);
    const upper = timeBound("upper", req.params.upper);
    if (lower > upper) {
      throw new BadRequestError(
        `lower "${req.params.lower}" is after upper "${req.params.upper}": expected lower <= upper`,
      );
    }
    res.json(await data.rangeAggregates(lower, upper));
  });
}
