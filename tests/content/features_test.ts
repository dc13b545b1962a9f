import assert from "node:assert/strict";
import { loadMovieLens100k, loadMovieLensLatestSmall } from "../../src/data/mod.ts";
import type { EntityTable, FeatureColumn } from "../../src/data/types.ts";
import { entityFeatures, FeatureEncoder } from "../../src/content/features.ts";
import type { FeatureMatrix } from "../../src/content/features.ts";

const ML_100K = new URL("../../../shared/data/ml-100k/", import.meta.url);
const ML_SMALL = new URL("../../../shared/data/ml-latest-small/", import.meta.url);

function table(columns: FeatureColumn[], rows: number): EntityTable {
  const ids = Array.from({ length: rows }, (_, i) => `e${i}`);
  return { ids, index: new Map(ids.map((id, i) => [id, i])), columns };
}

/** 4 entities: color (one missing), tags (one empty), n (one missing), title (text, ignored). */
function fixture(): EntityTable {
  return table([
    {
      kind: "categorical",
      name: "color",
      codes: Int32Array.of(0, 1, 0, -1),
      vocab: ["red", "blue"],
    },
    {
      kind: "multiCategorical",
      name: "tags",
      values: [["a", "b"], ["a"], [], ["c"]],
      vocab: ["a", "b", "c"],
    },
    { kind: "numeric", name: "n", values: Float64Array.of(1, 3, 3, NaN) },
    { kind: "text", name: "title", values: ["x", "y", "z", "w"] },
  ], 4);
}

function groupRow(m: FeatureMatrix, name: string, row: number): number[] {
  const g = m.groups.find((g) => g.name === name)!;
  return Array.from(m.data.subarray(row * m.cols + g.start, row * m.cols + g.start + g.width));
}

function assertClose(actual: number[], expected: number[], tolerance = 1e-6) {
  assert.equal(actual.length, expected.length, `length of ${actual} vs ${expected}`);
  actual.forEach((a, i) => {
    assert.ok(Math.abs(a - expected[i]) <= tolerance, `[${i}] ${a} ≠ ${expected[i]} (${actual})`);
  });
}

Deno.test("FeatureEncoder.fit() lays out one group per non-text column", () => {
  const encoder = FeatureEncoder.fit(fixture());
  assert.deepEqual(encoder.groups, [
    { name: "color", kind: "categorical", start: 0, width: 2 },
    { name: "tags", kind: "multiCategorical", start: 2, width: 3 },
    { name: "n", kind: "numeric", start: 5, width: 4 },
  ]);
  assert.equal(encoder.cols, 9);
  assert.deepEqual(encoder.featureNames(), [
    "color=red",
    "color=blue",
    "tags=a",
    "tags=b",
    "tags=c",
    "n",
    "n:missing",
    "n:log1p",
    "n:quantile",
  ]);
});

Deno.test("FeatureEncoder one-hot: missing is all-zero; groups scaled to 1/G mean squared norm", () => {
  const encoder = FeatureEncoder.fit(fixture());
  const m = encoder.encodeTable(fixture());
  // 3 of 4 rows have a colour: mean squared norm 3/4, scale 1/√(3 · 3/4) = 2/3.
  const s = 2 / 3;
  assertClose(groupRow(m, "color", 0), [s, 0]);
  assertClose(groupRow(m, "color", 1), [0, s]);
  assertClose(groupRow(m, "color", 2), [s, 0]);
  assertClose(groupRow(m, "color", 3), [0, 0]);
  for (const g of m.groups) {
    let sum = 0;
    for (let r = 0; r < m.rows; r++) for (const v of groupRow(m, g.name, r)) sum += v * v;
    assert.ok(Math.abs(sum / m.rows - 1 / 3) < 1e-6, `${g.name}: ${sum / m.rows}`);
  }
});

Deno.test("FeatureEncoder multi-hot uses smoothed idf = ln((1+N)/(1+df)) + 1, L2-normalised", () => {
  const encoder = FeatureEncoder.fit(fixture());
  const m = encoder.encodeTable(fixture());
  const idfA = Math.log(5 / 3) + 1; // df 2 of N = 4
  const idfB = Math.log(5 / 2) + 1; // df 1
  const spec = encoder.specs[1];
  assert.equal(spec.kind, "multiCategorical");
  if (spec.kind === "multiCategorical") assertClose([...spec.idf], [idfA, idfB, idfB], 1e-12);
  // Rows 0, 1, 3 have unit norm before scaling, row 2 none: scale = 1/√(3 · 3/4) = 2/3.
  const s = 2 / 3;
  const norm = Math.hypot(idfA, idfB);
  assertClose(groupRow(m, "tags", 0), [(s * idfA) / norm, (s * idfB) / norm, 0]);
  assertClose(groupRow(m, "tags", 1), [s, 0, 0]);
  assertClose(groupRow(m, "tags", 2), [0, 0, 0]);
  assertClose(groupRow(m, "tags", 3), [0, 0, s]);
});

Deno.test("FeatureEncoder numeric: standardised, missing flag, log1p and mid-rank quantile", () => {
  const encoder = FeatureEncoder.fit(fixture());
  const spec = encoder.specs[2];
  assert.equal(spec.kind, "numeric");
  if (spec.kind !== "numeric") return;
  // present values 1, 3, 3: mean 7/3, population std √(8/9)
  assert.ok(Math.abs(spec.mean - 7 / 3) < 1e-12);
  assert.ok(Math.abs(spec.std - Math.sqrt(8 / 9)) < 1e-12);
  assert.ok(Math.abs(spec.log1p!.mean - (5 * Math.LN2) / 3) < 1e-12);
  assert.ok(Math.abs(spec.log1p!.std - (Math.LN2 * Math.SQRT2) / 3) < 1e-12);
  // sorted 1, 3, 3 → ranks 0, (1+2)/2 → fractions 0 and 0.75
  assert.deepEqual(spec.quantile, { values: [1, 3], ranks: [0, 0.75] });

  const m = encoder.encodeTable(fixture());
  const s = spec.scale;
  const z1 = (1 - 7 / 3) / Math.sqrt(8 / 9);
  const l1 = (Math.LN2 - (5 * Math.LN2) / 3) / ((Math.LN2 * Math.SQRT2) / 3);
  assertClose(groupRow(m, "n", 0), [s * z1, 0, s * l1, 0]);
  assertClose(groupRow(m, "n", 3), [0, s, 0, 0.5 * s]); // missing: 0, flag, 0, median
  // the fitted scale: mean squared norm of the unscaled group rows is (z²+l²+q² summed + 1) / 4
  const z3 = (3 - 7 / 3) / Math.sqrt(8 / 9);
  const l3 = (Math.log(4) - (5 * Math.LN2) / 3) / ((Math.LN2 * Math.SQRT2) / 3);
  const meanSquare = (z1 ** 2 + l1 ** 2 + 2 * (z3 ** 2 + l3 ** 2 + 0.75 ** 2) + 1 + 0.25) / 4;
  assert.ok(Math.abs(s - 1 / Math.sqrt(3 * meanSquare)) < 1e-6);
  // a new value between knots interpolates: 2 → halfway from 0 to 0.75; beyond the range clamps
  const q = (x: number) => encoder.encode({ n: x })[8] / s;
  assertClose([q(2), q(0), q(10)], [0.375, 0, 1]);
});

Deno.test("FeatureEncoder leaves log1p out for negative columns and thins quantile knots", () => {
  const t = table([{ kind: "numeric", name: "v", values: Float64Array.of(-2, 0, 1, 5, 9) }], 5);
  const encoder = FeatureEncoder.fit(t, { maxQuantileKnots: 3 });
  assert.deepEqual(encoder.featureNames(), ["v", "v:missing", "v:quantile"]);
  const spec = encoder.specs[0];
  if (spec.kind === "numeric") {
    assert.deepEqual(spec.quantile, { values: [-2, 1, 9], ranks: [0, 0.5, 1] });
  }
  const noExtras = FeatureEncoder.fit(t, { log1p: false, quantile: false });
  assert.equal(noExtras.cols, 2);
  // a constant column standardises to 0 (std taken as 1)
  const constant = FeatureEncoder.fit(
    table([{ kind: "numeric", name: "c", values: Float64Array.of(4, 4) }], 2),
  );
  assert.equal(
    constant.encodeTable(table([{ kind: "numeric", name: "c", values: Float64Array.of(4, 4) }], 2))
      .data[0],
    0,
  );
});

Deno.test("FeatureEncoder puts categories below minCategoryCount into one 'other' feature", () => {
  const encoder = FeatureEncoder.fit(fixture(), { minCategoryCount: 2 });
  assert.deepEqual(encoder.featureNames().slice(0, 4), [
    "color=red",
    "color=<other>",
    "tags=a",
    "tags=<other>",
  ]);
  const m = encoder.encodeTable(fixture());
  const spec = encoder.specs[1];
  assert.equal(spec.kind, "multiCategorical");
  if (spec.kind !== "multiCategorical") return;
  // b and c are rare; rows 0 and 3 have one → other df 2 → idf ln(5/3) + 1, counted once per row
  assert.ok(Math.abs(spec.otherIdf - (Math.log(5 / 3) + 1)) < 1e-12);
  const s = spec.scale;
  assertClose(groupRow(m, "tags", 0), [s / Math.SQRT2, s / Math.SQRT2]);
  assertClose(groupRow(m, "tags", 3), [0, s]);
  assertClose(groupRow(m, "color", 1), [0, encoder.specs[0].scale]);
});

Deno.test("FeatureEncoder.encode() gives zeros for unseen categories and matches encodeTable rows", () => {
  const t = fixture();
  const encoder = FeatureEncoder.fit(t);
  const m = encoder.encodeTable(t);
  for (let r = 0; r < m.rows; r++) {
    assert.deepEqual(
      encoder.encode(entityFeatures(t, r)),
      m.data.subarray(r * m.cols, (r + 1) * m.cols),
    );
  }
  const fresh = encoder.encode({ color: "green", tags: ["zzz", "a"], n: "3", extra: "ignored" });
  assertClose(Array.from(fresh.subarray(0, 2)), [0, 0]);
  assert.ok(fresh[2] > 0 && fresh[3] === 0 && fresh[4] === 0);
  const nothing = encoder.encode({});
  assert.deepEqual(Array.from(nothing.subarray(0, 5)), [0, 0, 0, 0, 0]);
  assert.throws(() => encoder.encode({ tags: "a" }), /column "tags" is multi-categorical.*"a"/);
  assert.throws(() => encoder.encode({ n: "many" }), /column "n" is numeric.*"many"/);
  assert.throws(() => encoder.encode({ color: ["red"] }), /column "color" is categorical/);
});

Deno.test("FeatureEncoder JSON round trip encodes identically; bad JSON names the field", () => {
  const t = fixture();
  const encoder = FeatureEncoder.fit(t, { minCategoryCount: 2 });
  const copy = FeatureEncoder.fromJSON(JSON.parse(JSON.stringify(encoder)));
  assert.deepEqual(copy.encodeTable(t), encoder.encodeTable(t));
  assert.deepEqual(
    copy.encode({ color: "blue", n: 2.5 }),
    encoder.encode({ color: "blue", n: 2.5 }),
  );
  const json = JSON.parse(JSON.stringify(encoder));
  assert.throws(() => FeatureEncoder.fromJSON({ ...json, format: "x" }), /format/);
  json.groups[1].idf = [];
  assert.throws(() => FeatureEncoder.fromJSON(json), /groups\[1\]\.idf/);
});

Deno.test("FeatureEncoder rejects text columns, unknown columns and tables missing a column", () => {
  const t = fixture();
  assert.throws(() => FeatureEncoder.fit(t, { columns: ["title"] }), /"title" is text/);
  assert.throws(() => FeatureEncoder.fit(t, { columns: ["nope"] }), /no column "nope"/);
  assert.throws(() => FeatureEncoder.fit(t, { minCategoryCount: 0 }), /minCategoryCount/);
  const encoder = FeatureEncoder.fit(t);
  assert.throws(() => encoder.encodeTable(table([], 1)), /no column "color"/);
  const wrongKind = table([{ kind: "numeric", name: "color", values: Float64Array.of(1) }], 1);
  assert.throws(
    () => encoder.encodeTable(wrongKind),
    /"color" is numeric, but was fitted as categorical/,
  );
});

Deno.test("FeatureEncoder on ML-100K: items 23 wide, users 27 wide (zip left out as id-like)", async () => {
  const ds = await loadMovieLens100k(ML_100K);
  const items = FeatureEncoder.fit(ds.items);
  assert.deepEqual(items.groups.map((g) => [g.name, g.width]), [["year", 4], ["genres", 19]]);
  const m = items.encodeTable(ds.items);
  assert.equal(m.rows, 1682);
  assert.equal(m.cols, 23);
  let total = 0;
  for (const v of m.data) total += v * v;
  assert.ok(Math.abs(total / m.rows - 1) < 1e-4, `mean squared row norm ${total / m.rows}`);
  // Toy Story: Animation, Children's, Comedy
  const names = items.featureNames();
  const toy = Array.from(m.data.subarray(0, 23));
  const on = names.filter((_, j) => j >= 4 && toy[j] > 0);
  assert.deepEqual(on, ["genres=Animation", "genres=Children's", "genres=Comedy"]);
  // the "unknown" movie has no year: flag set
  const unknownYear = ds.items.ids.findIndex((_, r) =>
    Number.isNaN(entityFeatures(ds.items, r).year ?? NaN)
  );
  assert.ok(m.data[unknownYear * 23 + 1] > 0);

  const users = FeatureEncoder.fit(ds.users);
  assert.deepEqual(users.groups.map((g) => [g.name, g.width]), [["age", 4], ["gender", 2], [
    "occupation",
    21,
  ]]);
  assert.equal(users.encodeTable(ds.users).cols, 27);
  // asking for zip explicitly includes it
  assert.equal(FeatureEncoder.fit(ds.users, { columns: ["zip"] }).cols, 795);
});

Deno.test("FeatureEncoder on ml-latest-small items leaves imdbId and tmdbId out", async () => {
  const ds = await loadMovieLensLatestSmall(ML_SMALL);
  const encoder = FeatureEncoder.fit(ds.items);
  assert.deepEqual(encoder.groups.map((g) => [g.name, g.width]), [["year", 4], ["genres", 19]]);
});
