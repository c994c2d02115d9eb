import type { Express } from "express";
import type { DataInterface } from "../../backend/data-interface.js";
import { guessIsVowel } from "../../model/guess.js";
import type { RandomSource } from "../../model/random.js";
import { parseOptionalBody, requestFields, writeOptions } from "../request-fields.js";
import { followupRequestSchema, initialRequestSchema } from "../schemas.js";
import { validator } from "../validation.js";

const validateInitial = validator(initialRequestSchema);
const validateFollowup = validator(followupRequestSchema);

// The original client reads these replies as plain text and compares them literally.
const TEXT = "text/plain; charset=utf-8";

/** The client-facing endpoints: POST /initial and POST /followup. */
export function registerInteractionRoutes(
  app: Express,
  data: DataInterface,
  random: RandomSource,
): void {
  app.post("/initial", parseOptionalBody, async (req, res) => {
    const { uuid, symbol } = validateInitial(requestFields(req));
    const letter = symbol.toLowerCase();
    const { guess } = await data.logInitial(
      uuid.toLowerCase(),
      letter,
      guessIsVowel(letter, random),
      writeOptions(req, res),
    );
    res.type(TEXT).send(guess ? "True" : "False");
  });

  app.post("/followup", parseOptionalBody, async (req, res) => {
    const { uuid } = validateFollowup(requestFields(req));
    await data.logFollowup(uuid.toLowerCase(), writeOptions(req, res));
    res.type(TEXT).send("hooray");
  });
}
