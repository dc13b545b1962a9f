/**
 * Column helpers shared by the text and feature encoders.
 *
 * @module
 */
import type { FeatureColumn } from "../data/types.ts";

/**
 * True when a categorical column names (almost) every entity differently, as ids
 * such as imdbId or a zip code do: more than 20 distinct values and more than
 * half as many as entities that have a value. Such a column carries no signal
 * shared between entities.
 */
export function isIdLike(column: FeatureColumn): boolean {
  if (column.kind !== "categorical") return false;
  let present = 0;
  const seen = new Set<number>();
  for (const code of column.codes) {
    if (code < 0) continue;
    present++;
    seen.add(code);
  }
  return seen.size > 20 && seen.size > present / 2;
}

/** Number of entities of a column. */
export function columnLength(column: FeatureColumn): number {
  return column.kind === "categorical" ? column.codes.length : column.values.length;
}

/**
 * Lower-cases, NFKC-normalises, drops apostrophes ("children's" → "childrens")
 * and splits on anything that is not a letter or digit.
 */
export function wordTokens(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().replace(/['\u2019]/g, "")
    .split(/[^\p{L}\p{N}]+/u).filter((t) => t !== "");
}
