import express, { type Request, type RequestHandler, type Response } from "express";
import type { WriteOptions } from "../backend/data-interface.js";
import { BadRequestError, UnsupportedMediaTypeError } from "./http-errors.js";

// A request here is two short fields; anything larger is a mistake or an attack.
const BODY_LIMIT = "2kb";

const parseJson = express.json({ limit: BODY_LIMIT, strict: true });
const parseForm = express.urlencoded({ limit: BODY_LIMIT, extended: false });

/**
 * Parses a JSON or form body when there is one. The original client sends a POST with its
 * fields in the query string and no body at all, so that path must stay cheap.
 */
export const parseOptionalBody: RequestHandler = (req, res, next) => {
  const length = req.headers["content-length"];
  if ((length === undefined || length === "0") && req.headers["transfer-encoding"] === undefined) {
    return next();
  }
  if (req.is("application/json")) return parseJson(req, res, next);
  if (req.is("application/x-www-form-urlencoded")) return parseForm(req, res, next);
  const type = req.headers["content-type"];
  if (type === undefined) return next(new BadRequestError(CONTENT_TYPE_NEEDED));
  return next(new UnsupportedMediaTypeError(type));
};

const CONTENT_TYPE_NEEDED =
  "a request body needs a Content-Type of application/json or application/x-www-form-urlencoded";

/** The fields of a request: the query string and the body together; a field given twice must agree. */
export function requestFields(req: Request): Record<string, unknown> {
  const query = req.query as Record<string, unknown>;
  const body: unknown = req.body;
  if (body === undefined) return query;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequestError('the JSON body must be an object such as {"uuid": "…"}');
  }
  for (const [name, value] of Object.entries(body)) {
    if (name in query && query[name] !== value) {
      throw new BadRequestError(`${name} is given twice with different values; send it once`);
    }
  }
  return { ...query, ...body };
}

// The IETF httpapi draft leaves the key's form to the server: here 1 to 255 visible ASCII
// characters, which a UUID or any client-made token fits.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * What a write route hands the backend besides its fields: the Idempotency-Key header if any,
 * and a signal that fires when the client goes away before its answer.
 */
export function writeOptions(req: Request, res: Response): WriteOptions {
  const key = req.headers["idempotency-key"];
  if (Array.isArray(key)) throw new BadRequestError("Idempotency-Key is given twice; send it once");
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new BadRequestError(
      "invalid Idempotency-Key: expected 1 to 255 visible ASCII characters, e.g. a UUID",
    );
  }
  const gone = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  return { key, signal: gone.signal };
}
