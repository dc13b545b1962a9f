/**
 * Feature columns from raw strings: kind inference and construction.
 *
 * @module
 */
import { parseNumber } from "./_text.ts";
import type { FeatureColumn, FeatureKind } from "./types.ts";

/**
 * How to read one raw column; the generic loader's schema uses the same shape.
 *
 * @example
 * ```ts
 * import type { ColumnSpec } from "./columns.ts";
 * const genres: ColumnSpec = { kind: "multiCategorical", separator: "|" };
 * console.log(genres.kind); // "multiCategorical"
 * ```
 */
export interface ColumnSpec {
  /** The column kind. */
  readonly kind: FeatureKind;
  /** Separator of multi-categorical values (default `|`). */
  readonly separator?: string;
}

/**
 * Infers a column kind from raw values (empty strings are missing):
 * 1. every present value a finite number → numeric;
 * 2. some value contains `|` and the pieces average ≤ 3 words → multi-categorical (`|`);
 * 3. distinct values ≤ half the present values and values average ≤ 3 words → categorical;
 * 4. otherwise free text.
 *
 * @param values raw strings, one per row
 * @returns the inferred spec
 * @example
 * ```ts
 * import { inferColumnSpec } from "./columns.ts";
 * console.log(inferColumnSpec(["1", "2.5", ""]).kind); // "numeric"
 * console.log(inferColumnSpec(["a|b", "b", "c|a"]).kind); // "multiCategorical"
 * console.log(inferColumnSpec(["x", "y", "x", "x"]).kind); // "categorical"
 * console.log(inferColumnSpec(["a long title", "another one"]).kind); // "text"
 * ```
 */
export function inferColumnSpec(values: readonly string[]): ColumnSpec {
  const present = values.map((v) => v.trim()).filter((v) => v !== "");
  if (present.length === 0) return { kind: "text" };
  if (present.every((v) => !Number.isNaN(parseNumber(v)))) return { kind: "numeric" };
  const words = (v: string) => v.split(/\s+/).filter(Boolean).length;
  if (present.some((v) => v.includes("|"))) {
    const pieces = present.flatMap((v) => v.split("|")).filter((p) => p.trim() !== "");
    const meanWords = pieces.reduce((s, p) => s + words(p), 0) / Math.max(1, pieces.length);
    if (meanWords <= 3) return { kind: "multiCategorical", separator: "|" };
  }
  const distinct = new Set(present).size;
  const meanWords = present.reduce((s, v) => s + words(v), 0) / present.length;
  if (distinct <= present.length / 2 && meanWords <= 3) return { kind: "categorical" };
  return { kind: "text" };
}

/**
 * Builds a typed feature column from raw strings (empty = missing).
 *
 * @param name column name
 * @param values raw strings, one per entity
 * @param spec the kind (and separator) to read them as
 * @param onBadNumber called with the row of a value that is not a number in a numeric column
 * @returns the column
 * @example
 * ```ts
 * import { buildColumn } from "./columns.ts";
 * const c = buildColumn("genres", ["a|b", ""], { kind: "multiCategorical" });
 * console.log(c.kind === "multiCategorical" && c.values[0]); // ["a", "b"]
 * ```
 */
export function buildColumn(
  name: string,
  values: readonly string[],
  spec: ColumnSpec,
  onBadNumber?: (row: number, value: string) => void,
): FeatureColumn {
  const n = values.length;
  switch (spec.kind) {
    case "numeric": {
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        out[r] = parseNumber(values[r]);
        if (Number.isNaN(out[r]) && values[r].trim() !== "") onBadNumber?.(r, values[r]);
      }
      return { kind: "numeric", name, values: out };
    }
    case "categorical": {
      const vocab: string[] = [];
      const lookup = new Map<string, number>();
      const codes = new Int32Array(n);
      for (let r = 0; r < n; r++) codes[r] = encode(values[r].trim(), vocab, lookup);
      return { kind: "categorical", name, codes, vocab };
    }
    case "multiCategorical": {
      const separator = spec.separator ?? "|";
      const vocab: string[] = [];
      const lookup = new Map<string, number>();
      const out = values.map((v) => {
        const parts = v.split(separator).map((p) => p.trim()).filter((p) => p !== "");
        for (const p of parts) encode(p, vocab, lookup);
        return parts;
      });
      return { kind: "multiCategorical", name, values: out, vocab };
    }
    case "text":
      return { kind: "text", name, values: values.map((v) => v.trim()) };
  }
}

function encode(value: string, vocab: string[], lookup: Map<string, number>): number {
  if (value === "") return -1;
  let code = lookup.get(value);
  if (code === undefined) {
    code = vocab.length;
    vocab.push(value);
    lookup.set(value, code);
  }
  return code;
}
