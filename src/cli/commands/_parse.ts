/**
 * Option value parsers shared by the commands; they throw commander's
 * InvalidArgumentError, which the CLI reports as a usage error (exit 2).
 *
 * @module
 */
import { InvalidArgumentError } from "npm:@commander-js/extra-typings@15.1.0";

/**
 * Parses an integer ≥ 1 (e.g. `--k`).
 *
 * @param value the option's text
 * @returns the number
 * @throws {InvalidArgumentError} for anything else
 * @example
 * ```ts
 * import { parsePositiveInt } from "./_parse.ts";
 * console.log(parsePositiveInt("20")); // 20
 * ```
 */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a whole number of at least 1");
  }
  return n;
}

/**
 * Parses a seed: an integer from 0 to 2³²−1.
 *
 * @param value the option's text
 * @returns the seed
 * @throws {InvalidArgumentError} for anything else
 * @example
 * ```ts
 * import { parseSeed } from "./_parse.ts";
 * console.log(parseSeed("0")); // 0
 * ```
 */
export function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new InvalidArgumentError("expected a whole number from 0 to 4294967295");
  }
  return n;
}

/**
 * Parses an entity's features given as a JSON object on the command line
 * (`--features '{"title": "Heat", "genres": ["Action"]}'`): each value a
 * string, a number, a list of strings or null.
 *
 * @param value the option's text
 * @returns the features
 * @throws {InvalidArgumentError} naming what is wrong
 * @example
 * ```ts
 * import { parseFeatures } from "./_parse.ts";
 * console.log(parseFeatures('{"title": "Heat", "year": 1995}').year); // 1995
 * ```
 */
export function parseFeatures(
  value: string,
): Record<string, string | number | string[] | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(
      `expected a JSON object such as '{"title": "Heat", "genres": ["Action"]}' ` +
        `(${(error as Error).message})`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`expected a JSON object of features, found ${value}`);
  }
  for (const [name, v] of Object.entries(parsed)) {
    const ok = v === null || typeof v === "string" || typeof v === "number" ||
      (Array.isArray(v) && v.every((x) => typeof x === "string"));
    if (!ok) {
      throw new InvalidArgumentError(
        `feature "${name}" is ${
          JSON.stringify(v)
        }: use a string, a number, a list of strings or null`,
      );
    }
  }
  return parsed as Record<string, string | number | string[] | null>;
}
