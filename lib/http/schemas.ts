import type { JSONSchemaType } from "ajv";
import { MAX_SERIES_BUCKETS, SERIES_GRAINS, type SeriesGrain } from "../model/series.js";

const UUID_DESCRIPTION =
  "a UUID in canonical 8-4-4-4-12 hex form, e.g. 0f8fad5b-d9cb-469f-a165-70867728950e";
const SYMBOL_DESCRIPTION = "exactly one letter a-z (upper case is folded to lower case)";
const UUID_PATTERN =
  "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const SYMBOL_PATTERN = "^[a-zA-Z]$";

const uuid = { type: "string", pattern: UUID_PATTERN, description: UUID_DESCRIPTION } as const;
const symbol = {
  type: "string",
  pattern: SYMBOL_PATTERN,
  description: SYMBOL_DESCRIPTION,
} as const;

export interface InitialRequest {
  uuid: string;
  symbol: string;
}

export const initialRequestSchema: JSONSchemaType<InitialRequest> = {
  type: "object",
  properties: { uuid, symbol },
  required: ["uuid", "symbol"],
};

export interface FollowupRequest {
  uuid: string;
}

export const followupRequestSchema: JSONSchemaType<FollowupRequest> = {
  type: "object",
  properties: { uuid },
  required: ["uuid"],
};

export interface SymbolRequest {
  symbol: string;
}

export const symbolRequestSchema: JSONSchemaType<SymbolRequest> = {
  type: "object",
  properties: { symbol },
  required: ["symbol"],
};

export const TIME_BOUND_DESCRIPTION =
  "YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[.ffffff] or YYYY-MM-DDTHH:MM:SS[.ffffff], in UTC, " +
  "or with Z or a UTC offset after the time (2026-11-28T00:00:00+01:00)";

export interface SeriesQuery {
  grain: SeriesGrain;
  symbol?: string;
}

const GRAIN_NAMES = Object.keys(SERIES_GRAINS) as SeriesGrain[];

export const seriesQuerySchema: JSONSchemaType<SeriesQuery> = {
  type: "object",
  properties: {
    grain: {
      type: "string",
      enum: GRAIN_NAMES,
      description:
        `grain=${GRAIN_NAMES.join(", grain=")} (the bucket width; at most ` +
        `${MAX_SERIES_BUCKETS} buckets per request)`,
    },
    symbol: { ...symbol, nullable: true },
  },
  required: ["grain"],
};
