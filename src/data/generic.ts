/**
 * The generic dataset format: an interactions file (CSV/TSV with a header:
 * user, item, optional rating, optional timestamp) plus optional items and
 * users files (an id column and any feature columns), with column kinds
 * inferred or set by a small JSON schema. See docs/DATA.md.
 *
 * @module
 */
import { buildColumn, type ColumnSpec, inferColumnSpec } from "./columns.ts";
import { emptyEntityTable, internId } from "./dataset.ts";
import { parseInteractions } from "./_interactions.ts";
import {
  forEachRecord,
  pathLabel,
  type PathLike,
  readText,
  sniffDelimiter,
  type TextEncoding,
} from "./_text.ts";
import {
  DataFormatError,
  type Dataset,
  type DataWarning,
  type EntityTable,
  type RatingScale,
} from "./types.ts";

/**
 * Overrides for the interactions file; every field is optional.
 *
 * @example
 * ```ts
 * import type { InteractionsSchema } from "./generic.ts";
 * const s: InteractionsSchema = { user: "customer", item: "sku", ratingScale: [1, 10] };
 * console.log(s.user); // "customer"
 * ```
 */
export interface InteractionsSchema {
  /** Header name of the user column (default: `user`, `user_id` or `userId`, any case). */
  readonly user?: string;
  /** Header name of the item column (default: `item`, `item_id` or `itemId`, any case). */
  readonly item?: string;
  /** Header name of the rating column (default: `rating` if present; `null` = implicit). */
  readonly rating?: string | null;
  /** Header name of the timestamp column (default: `timestamp` if present). */
  readonly timestamp?: string | null;
  /** Declared `[min, max]` ratings; a rating outside fails with file and line. */
  readonly ratingScale?: readonly [number, number];
  /** Field delimiter (default: from the extension, else sniffed from the header). */
  readonly delimiter?: string;
  /** "auto" (default: UTF-8, falling back to Latin-1 with a warning), "utf-8" or "latin1". */
  readonly encoding?: TextEncoding;
}

/**
 * Overrides for an items or users file.
 *
 * @example
 * ```ts
 * import type { EntitySchema } from "./generic.ts";
 * const s: EntitySchema = { id: "sku", columns: { tags: { kind: "multiCategorical", separator: ";" } } };
 * console.log(s.id); // "sku"
 * ```
 */
export interface EntitySchema {
  /** Header name of the id column (default: `id`, `item`/`user`, `item_id`/`user_id`, else the first column). */
  readonly id?: string;
  /** Kind per column name; `"ignore"` drops a column. Columns not listed are inferred. */
  readonly columns?: Readonly<Record<string, ColumnSpec | "ignore">>;
  /** Field delimiter (default: from the extension, else sniffed). */
  readonly delimiter?: string;
  /** Text encoding, as for interactions. */
  readonly encoding?: TextEncoding;
}

/**
 * The JSON schema of the generic format; all parts optional.
 *
 * @example
 * ```ts
 * import type { GenericSchema } from "./generic.ts";
 * const schema: GenericSchema = { items: { columns: { genres: { kind: "multiCategorical" } } } };
 * console.log(Object.keys(schema)); // ["items"]
 * ```
 */
export interface GenericSchema {
  /** Interactions file overrides. */
  readonly interactions?: InteractionsSchema;
  /** Items file overrides. */
  readonly items?: EntitySchema;
  /** Users file overrides. */
  readonly users?: EntitySchema;
}

/**
 * Where the generic files are.
 *
 * @example
 * ```ts
 * import type { GenericSource } from "./generic.ts";
 * const src: GenericSource = { interactions: "ratings.csv", items: "items.csv", name: "shop" };
 * console.log(src.name); // "shop"
 * ```
 */
export interface GenericSource {
  /** The interactions file (required). */
  readonly interactions: PathLike;
  /** Optional items file. */
  readonly items?: PathLike;
  /** Optional users file. */
  readonly users?: PathLike;
  /** A schema object, or the path of a JSON file holding one. */
  readonly schema?: GenericSchema | PathLike;
  /** Dataset name (default: the interactions file name without extension). */
  readonly name?: string;
}

/**
 * Loads a dataset in the generic format.
 *
 * Entities get dense indices in file order: the items/users files first, then
 * ids first seen in the interactions (added without features, counted in a
 * warning). Duplicate (user, item) pairs keep the last line (warning).
 * Without a declared scale, the rating scale is the observed min..max.
 *
 * @param source the files and optional schema
 * @returns the dataset
 * @throws {DataFormatError} on an empty file, a missing column, a wrong field
 * count, a bad number or a rating outside the declared scale
 * @example
 * ```ts
 * import { loadGenericDataset } from "./generic.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/r.csv`, "user,item,rating\nu1,i1,4\nu2,i1,5\n");
 * const ds = await loadGenericDataset({ interactions: `${dir}/r.csv` });
 * console.log(ds.interactions.length, ds.ratingScale); // 2 { min: 4, max: 5 }
 * ```
 */
export async function loadGenericDataset(source: GenericSource): Promise<Dataset> {
  const schema = await readSchema(source.schema);
  const warnings: DataWarning[] = [];
  const users = emptyEntityTable();
  const items = emptyEntityTable();
  const userColumns = source.users
    ? await readEntityFile(source.users, users, "user", schema.users ?? {}, warnings)
    : [];
  const itemColumns = source.items
    ? await readEntityFile(source.items, items, "item", schema.items ?? {}, warnings)
    : [];

  const ix = schema.interactions ?? {};
  const file = pathLabel(source.interactions);
  const text = await readText(source.interactions, ix.encoding ?? "auto", warnings);
  const header = firstRecord(text, file, ix.delimiter);
  const find = (wanted: string | null | undefined, defaults: string[], required: boolean) => {
    if (wanted === null) return -1;
    const names = wanted !== undefined ? [wanted] : defaults;
    const at = header.fields.findIndex((h) => names.some((n) => sameName(h, n)));
    if (at < 0 && (required || wanted !== undefined)) {
      throw new DataFormatError(
        `missing column ${names.join(" / ")} (header has ${header.fields.join(", ")})`,
        file,
        header.line,
        header.raw,
      );
    }
    return at;
  };
  const layout = {
    user: find(ix.user, ["user", "user_id", "userId"], true),
    item: find(ix.item, ["item", "item_id", "itemId"], true),
    rating: find(ix.rating, ["rating"], false),
    timestamp: find(ix.timestamp, ["timestamp"], false),
    fieldCount: header.fields.length,
  };
  const declared: RatingScale | undefined = ix.ratingScale
    ? { min: ix.ratingScale[0], max: ix.ratingScale[1] }
    : undefined;
  const interactions = parseInteractions(text, layout, users, items, {
    file,
    delimiter: header.delimiter,
    quotes: true,
    skipHeader: true,
    ...(declared ? { scale: declared } : {}),
    unknownUsers: source.users ? "add-and-warn" : "add",
    unknownItems: source.items ? "add-and-warn" : "add",
    warnings,
  });
  users.columns.push(...finishColumns(userColumns, users.ids.length));
  items.columns.push(...finishColumns(itemColumns, items.ids.length));

  let ratingScale = declared;
  if (!ratingScale && interactions.rating && interactions.length > 0) {
    let min = Infinity;
    let max = -Infinity;
    for (const r of interactions.rating) {
      if (r < min) min = r;
      if (r > max) max = r;
    }
    ratingScale = { min, max };
  }
  const name = source.name ?? file.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "");
  return { name, users, items, interactions, ...(ratingScale ? { ratingScale } : {}), warnings };
}

interface RawColumn {
  readonly name: string;
  readonly spec: ColumnSpec;
  readonly values: string[];
  readonly file: string;
  /** Source line of each row (0 for rows added from interactions). */
  readonly lines: number[];
}

async function readSchema(schema: GenericSchema | PathLike | undefined): Promise<GenericSchema> {
  if (schema === undefined) return {};
  if (typeof schema === "string" || schema instanceof URL) {
    const file = pathLabel(schema);
    const text = await readText(schema, "utf-8");
    let parsed: GenericSchema;
    try {
      parsed = JSON.parse(text) as GenericSchema;
    } catch (e) {
      throw new DataFormatError(
        `schema is not valid JSON (${(e as Error).message})`,
        file,
        0,
        text,
      );
    }
    return checkSchema(parsed, file);
  }
  return checkSchema(schema, "schema");
}

const KINDS = new Set(["text", "categorical", "multiCategorical", "numeric"]);

/** Rejects the schema mistakes that would otherwise surface as odd results later. */
function checkSchema(schema: GenericSchema, file: string): GenericSchema {
  const scale = schema.interactions?.ratingScale;
  if (
    scale !== undefined &&
    !(Array.isArray(scale) && scale.length === 2 && Number.isFinite(scale[0]) &&
      Number.isFinite(scale[1]) && scale[0] <= scale[1])
  ) {
    throw new DataFormatError(
      "ratingScale must be [min, max] numbers",
      file,
      0,
      JSON.stringify(scale),
    );
  }
  for (const part of [schema.items, schema.users]) {
    for (const [name, spec] of Object.entries(part?.columns ?? {})) {
      if (spec !== "ignore" && !KINDS.has(spec?.kind)) {
        throw new DataFormatError(
          `column ${name}: kind must be text, categorical, multiCategorical or numeric`,
          file,
          0,
          JSON.stringify(spec),
        );
      }
    }
  }
  return schema;
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.toLowerCase();
}

function firstRecord(
  text: string,
  file: string,
  delimiter: string | undefined,
): { fields: string[]; line: number; raw: string; delimiter: string } {
  const firstLine = /^[ \t]*\S[^\n]*/m.exec(text);
  if (!firstLine) throw new DataFormatError("file is empty; expected a header line", file, 0, "");
  const line = text.slice(0, firstLine.index).split("\n").length;
  const raw = firstLine[0].replace(/\r$/, "");
  const d = delimiter ?? sniffDelimiter(raw, file);
  const fields = raw.split(d).map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
  return { fields, line, raw, delimiter: d };
}

async function readEntityFile(
  path: PathLike,
  table: EntityTable,
  what: "user" | "item",
  schema: EntitySchema,
  warnings: DataWarning[],
): Promise<RawColumn[]> {
  const file = pathLabel(path);
  const text = await readText(path, schema.encoding ?? "auto", warnings);
  const header = firstRecord(text, file, schema.delimiter);
  const idNames = schema.id !== undefined ? [schema.id] : ["id", what, `${what}_id`, `${what}Id`];
  let idAt = header.fields.findIndex((h) => idNames.some((n) => sameName(h, n)));
  if (idAt < 0) {
    if (schema.id !== undefined) {
      throw new DataFormatError(
        `missing id column ${schema.id} (header has ${header.fields.join(", ")})`,
        file,
        header.line,
        header.raw,
      );
    }
    idAt = 0;
  }
  const raw: string[][] = header.fields.map(() => []);
  const lines: number[] = [];
  let duplicates = 0;
  let first = true;
  forEachRecord(text, header.delimiter, file, true, (fields, line, rawLine) => {
    if (first) {
      first = false;
      return;
    }
    const id = fields[idAt].trim();
    if (id === "") throw new DataFormatError(`empty ${what} id`, file, line, rawLine);
    const known = table.index.get(id);
    const row = known ?? internId(table, id);
    if (known !== undefined) duplicates++;
    for (let c = 0; c < fields.length; c++) raw[c][row] = fields[c];
    lines[row] = line;
  }, header.fields.length);
  if (duplicates > 0) {
    warnings.push({
      code: "duplicate-entity",
      count: duplicates,
      message: `${file}: ${duplicates} repeated ${what} id(s); the last line of each wins`,
    });
  }
  const columns: RawColumn[] = [];
  for (let c = 0; c < header.fields.length; c++) {
    if (c === idAt) continue;
    const name = header.fields[c];
    const given = schema.columns?.[name];
    if (given === "ignore") continue;
    const values = raw[c];
    columns.push({ name, spec: given ?? inferColumnSpec(values), values, file, lines });
  }
  for (const name of Object.keys(schema.columns ?? {})) {
    if (!header.fields.includes(name)) {
      throw new DataFormatError(
        `schema names column ${name}, which the header lacks`,
        file,
        header.line,
        header.raw,
      );
    }
  }
  return columns;
}

function finishColumns(columns: RawColumn[], size: number) {
  return columns.map(({ name, spec, values, file, lines }) => {
    const padded = Array.from({ length: size }, (_, r) => values[r] ?? "");
    return buildColumn(name, padded, spec, (row, value) => {
      throw new DataFormatError(
        `column ${name} is numeric but this value is not a number`,
        file,
        lines[row] ?? 0,
        value,
      );
    });
  });
}
