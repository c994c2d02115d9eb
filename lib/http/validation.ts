import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from "ajv";
import { BadRequestError } from "./http-errors.js";

// One shared instance: compiled validators are cached on it and reused by every route.
const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false });

/** Compiles `schema` once; the returned function checks input or throws a 400 that explains. */
export function validator<T>(schema: JSONSchemaType<T>): (input: unknown) => T {
  const validate: ValidateFunction<T> = ajv.compile(schema);
  return (input) => {
    if (validate(input)) return input;
    throw new BadRequestError(explain(validate.errors?.[0], schema as DescribedSchema));
  };
}

interface DescribedSchema {
  properties?: Record<string, { description?: string }>;
}

function explain(error: ErrorObject | undefined, schema: DescribedSchema): string {
  if (!error) return "invalid request";
  const field =
    error.keyword === "required"
      ? (error.params as { missingProperty: string }).missingProperty
      : error.instancePath.replace(/^\//, "");
  const expected = schema.properties?.[field]?.description ?? error.message ?? "a valid value";
  return error.keyword === "required"
    ? `missing ${field}: expected ${expected}`
    : `invalid ${field}: expected ${expected}`;
}
