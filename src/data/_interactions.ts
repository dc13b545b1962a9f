// Private: parsing interaction records (user, item, rating?, timestamp?) from
// delimited text into typed arrays, with file:line errors for bad input.
import { dropDuplicatePairs, InteractionsBuilder, internId } from "./dataset.ts";
import { forEachRecord, parseNumber } from "./_text.ts";
import {
  DataFormatError,
  type DataWarning,
  type EntityTable,
  type Interactions,
  type RatingScale,
} from "./types.ts";

/** Field positions of an interaction record; -1 when absent. */
export interface InteractionLayout {
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  readonly timestamp: number;
  /** Exact number of fields every record must have. */
  readonly fieldCount: number;
}

/** What to do with ids missing from a pre-filled entity table. */
export type UnknownIdPolicy = "add" | "add-and-warn" | "error";

/** Options of {@linkcode parseInteractions}. */
export interface ParseInteractionsOptions {
  readonly file: string;
  readonly delimiter: string;
  readonly quotes: boolean;
  readonly skipHeader: boolean;
  readonly scale?: RatingScale;
  readonly unknownUsers: UnknownIdPolicy;
  readonly unknownItems: UnknownIdPolicy;
  readonly warnings: DataWarning[];
}

/**
 * Parses interaction records, interning ids into `users`/`items`, checking
 * field counts, numbers and the rating scale, then applying the duplicate
 * policy (last occurrence wins).
 */
export function parseInteractions(
  text: string,
  layout: InteractionLayout,
  users: EntityTable,
  items: EntityTable,
  options: ParseInteractionsOptions,
): Interactions {
  const { file, scale } = options;
  const builder = new InteractionsBuilder(layout.rating >= 0, layout.timestamp >= 0);
  let first = options.skipHeader;
  let unknownUsers = 0;
  let unknownItems = 0;
  const resolve = (
    table: EntityTable,
    id: string,
    policy: UnknownIdPolicy,
    what: string,
    line: number,
    raw: string,
  ): [number, boolean] => {
    if (id === "") throw new DataFormatError(`empty ${what} id`, file, line, raw);
    const known = table.index.get(id);
    if (known !== undefined) return [known, false];
    if (policy === "error") throw new DataFormatError(`unknown ${what} id ${id}`, file, line, raw);
    return [internId(table, id), true];
  };
  forEachRecord(text, options.delimiter, file, options.quotes, (fields, line, raw) => {
    if (first) {
      first = false;
      return;
    }
    const [u, newUser] = resolve(
      users,
      fields[layout.user].trim(),
      options.unknownUsers,
      "user",
      line,
      raw,
    );
    const [i, newItem] = resolve(
      items,
      fields[layout.item].trim(),
      options.unknownItems,
      "item",
      line,
      raw,
    );
    if (newUser) unknownUsers++;
    if (newItem) unknownItems++;
    let rating = NaN;
    if (layout.rating >= 0) {
      rating = parseNumber(fields[layout.rating]);
      if (Number.isNaN(rating)) {
        throw new DataFormatError(
          `rating ${JSON.stringify(fields[layout.rating])} is not a number`,
          file,
          line,
          raw,
        );
      }
      if (scale && (rating < scale.min || rating > scale.max)) {
        throw new DataFormatError(
          `rating ${rating} is outside the scale ${scale.min}..${scale.max}`,
          file,
          line,
          raw,
        );
      }
    }
    let timestamp = NaN;
    if (layout.timestamp >= 0) {
      timestamp = parseTimestamp(fields[layout.timestamp]);
      if (Number.isNaN(timestamp)) {
        throw new DataFormatError(
          `timestamp ${JSON.stringify(fields[layout.timestamp])} is not a number`,
          file,
          line,
          raw,
        );
      }
    }
    builder.push(u, i, rating, timestamp);
  }, layout.fieldCount);
  if (unknownUsers > 0 && options.unknownUsers === "add-and-warn") {
    options.warnings.push({
      code: "unknown-user",
      count: unknownUsers,
      message: `${file}: ${unknownUsers} user id(s) not in the users file; added without features`,
    });
  }
  if (unknownItems > 0 && options.unknownItems === "add-and-warn") {
    options.warnings.push({
      code: "unknown-item",
      count: unknownItems,
      message: `${file}: ${unknownItems} item id(s) not in the items file; added without features`,
    });
  }
  const { interactions, warning } = dropDuplicatePairs(builder.build(), file);
  if (warning) options.warnings.push(warning);
  if (interactions.length === 0) {
    options.warnings.push({
      code: "no-interactions",
      count: 0,
      message: `${file}: no interactions`,
    });
  }
  return interactions;
}

/** Seconds since the epoch from a number or an ISO 8601 date; NaN when neither. */
export function parseTimestamp(text: string): number {
  const v = parseNumber(text);
  if (!Number.isNaN(v)) return v;
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return NaN;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? NaN : ms / 1000;
}
