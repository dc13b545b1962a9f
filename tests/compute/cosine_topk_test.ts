import assert from "node:assert/strict";
import type { Backend, ExclusionCsr, Matrix, TopKResult } from "../../src/compute/backend.ts";
import { cosineTopKBlocked, cosineTopKNaive } from "../../src/compute/cpu/cosine_topk.ts";
import type { Rng } from "../../src/util/random.ts";
import { backendCases, gpuSanitizers, testRng, testSeed } from "./_gpu.ts";

const SCORE_TOLERANCE = 1e-5;

interface Case {
  name: string;
  m: number;
  n: number;
  d: number;
  k: number;
  /** Fraction of each query's items excluded. */
  excluded?: number;
  /** Rows of queries/items set to zero. */
  zeroRows?: number;
  /** Items copied from earlier items, so exact ties occur. */
  duplicates?: number;
  /** Queries whose every item is excluded. */
  fullyExcluded?: number;
}

// Sizes straddle the 64-row score tile, the 16-wide depth slice, the vec4 path
// (d % 4 == 0) and the 512-item selection chunk.
const cases: Case[] = [
  { name: "1 × 1 × 1, k = 1", m: 1, n: 1, d: 1, k: 1 },
  { name: "k = 1, d not a multiple of 4", m: 5, n: 37, d: 3, k: 1 },
  { name: "off-tile 67 × 130 × 17, k = 10", m: 67, n: 130, d: 17, k: 10, excluded: 0.1 },
  { name: "vec4 path 70 × 300 × 64, k = 10", m: 70, n: 300, d: 64, k: 10, excluded: 0.05 },
  { name: "k ≥ n", m: 9, n: 20, d: 8, k: 50, excluded: 0.2 },
  { name: "several selection chunks, k = 1", m: 4, n: 1300, d: 12, k: 1 },
  { name: "k = 600 needs a 1024 chunk", m: 3, n: 1100, d: 4, k: 600, excluded: 0.3 },
  { name: "zero vectors", m: 12, n: 40, d: 6, k: 40, zeroRows: 3 },
  { name: "duplicate items tie to the lower index", m: 10, n: 80, d: 5, k: 30, duplicates: 25 },
  {
    name: "queries with every item excluded",
    m: 8,
    n: 30,
    d: 4,
    k: 5,
    excluded: 0.3,
    fullyExcluded: 3,
  },
];

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  return { rows, cols, data: rng.uniformArray(rows * cols, -1, 1) };
}

function makeInputs(c: Case, rng: Rng): { queries: Matrix; items: Matrix; exclude?: ExclusionCsr } {
  const queries = randomMatrix(rng, c.m, c.d);
  const items = randomMatrix(rng, c.n, c.d);
  for (let z = 0; z < (c.zeroRows ?? 0); z++) {
    items.data.fill(0, rng.int(c.n) * c.d, 0);
    const itemRow = rng.int(c.n);
    items.data.fill(0, itemRow * c.d, (itemRow + 1) * c.d);
    const queryRow = rng.int(c.m);
    queries.data.fill(0, queryRow * c.d, (queryRow + 1) * c.d);
  }
  for (let dup = 0; dup < (c.duplicates ?? 0); dup++) {
    const from = rng.int(c.n), to = rng.int(c.n);
    items.data.copyWithin(to * c.d, from * c.d, (from + 1) * c.d);
  }
  if (!c.excluded && !c.fullyExcluded) return { queries, items };
  const offsets = new Int32Array(c.m + 1);
  const indices: number[] = [];
  for (let q = 0; q < c.m; q++) {
    if (q < (c.fullyExcluded ?? 0)) {
      // Unsorted, with a duplicate, to show order inside a row does not matter.
      for (let j = c.n - 1; j >= 0; j--) indices.push(j);
      indices.push(0);
    } else {
      for (let j = 0; j < c.n; j++) if (rng.next() < (c.excluded ?? 0)) indices.push(j);
    }
    offsets[q + 1] = indices.length;
  }
  return { queries, items, exclude: { offsets, indices: Int32Array.from(indices) } };
}

/** Exact cosines in float64, for judging near-ties between backends. */
function exactScore(queries: Matrix, items: Matrix, q: number, j: number): number {
  const d = queries.cols;
  let dot = 0, qq = 0, xx = 0;
  for (let t = 0; t < d; t++) {
    const a = queries.data[q * d + t], b = items.data[j * d + t];
    dot += a * b, qq += a * a, xx += b * b;
  }
  return qq > 0 && xx > 0 ? dot / Math.sqrt(qq * xx) : 0;
}

/** Full-sort reference: every non-excluded item by (score desc, index asc). */
function referenceTopK(
  queries: Matrix,
  items: Matrix,
  k: number,
  exclude?: ExclusionCsr,
): TopKResult {
  const kk = Math.min(k, items.rows);
  const indices = new Int32Array(queries.rows * kk).fill(-1);
  const scores = new Float32Array(queries.rows * kk).fill(-Infinity);
  for (let q = 0; q < queries.rows; q++) {
    const banned = new Set(
      exclude ? exclude.indices.subarray(exclude.offsets[q], exclude.offsets[q + 1]) : [],
    );
    const ranked = [...Array(items.rows).keys()].filter((j) => !banned.has(j))
      .map((j) => ({ j, s: exactScore(queries, items, q, j) }))
      .sort((a, b) => b.s - a.s || a.j - b.j)
      .slice(0, kk);
    ranked.forEach(({ j, s }, r) => {
      indices[q * kk + r] = j;
      scores[q * kk + r] = s;
    });
  }
  return { queries: queries.rows, k: kk, indices, scores };
}

/**
 * Same slots filled, scores within tolerance, and where indices differ the two
 * items are a near-tie by the exact score (float32 rounding may swap them).
 */
function assertTopKMatches(
  actual: TopKResult,
  expected: TopKResult,
  queries: Matrix,
  items: Matrix,
  context: string,
): void {
  assert.equal(actual.k, expected.k, `${context}: k`);
  assert.equal(actual.indices.length, expected.indices.length, `${context}: length`);
  for (let i = 0; i < expected.indices.length; i++) {
    const q = Math.floor(i / expected.k), where = `${context}, query ${q}, rank ${i % expected.k}`;
    const e = expected.indices[i], a = actual.indices[i];
    if (e === -1) {
      assert.equal(a, -1, `${where}: expected an empty slot, got item ${a}`);
      assert.equal(actual.scores[i], -Infinity, `${where}: empty slot score`);
      continue;
    }
    assert.ok(a >= 0 && a < items.rows, `${where}: index ${a} out of range (unwritten?)`);
    assert.ok(
      Math.abs(actual.scores[i] - expected.scores[i]) <= SCORE_TOLERANCE,
      `${where}: score ${actual.scores[i]} vs ${expected.scores[i]}`,
    );
    if (a !== e) {
      const gap = Math.abs(exactScore(queries, items, q, a) - exactScore(queries, items, q, e));
      assert.ok(
        gap <= SCORE_TOLERANCE,
        `${where}: item ${a} instead of ${e}, exact scores differ by ${gap}`,
      );
    }
  }
}

function assertWellFormed(
  result: TopKResult,
  exclude: ExclusionCsr | undefined,
  context: string,
): void {
  for (let q = 0; q < result.queries; q++) {
    const banned = new Set(
      exclude ? exclude.indices.subarray(exclude.offsets[q], exclude.offsets[q + 1]) : [],
    );
    const seen = new Set<number>();
    for (let r = 0; r < result.k; r++) {
      const i = q * result.k + r, item = result.indices[i];
      if (item === -1) continue;
      assert.ok(!banned.has(item), `${context}, query ${q}: excluded item ${item} returned`);
      assert.ok(!seen.has(item), `${context}, query ${q}: item ${item} returned twice`);
      seen.add(item);
      if (r > 0 && result.indices[i - 1] !== -1) {
        assert.ok(
          result.scores[i] <= result.scores[i - 1],
          `${context}, query ${q}: scores not descending at ${r}`,
        );
      }
    }
  }
}

for (const backend of backendCases) {
  Deno.test({
    name: `cosineTopK() on ${backend.name} matches the float64 reference (seed ${testSeed})`,
    ignore: backend.ignore,
    ...gpuSanitizers,
    fn: () =>
      backend.run(async (b: Backend) => {
        for (const c of cases) {
          const rng = testRng(`${backend.name}:${c.name}`);
          const { queries, items, exclude } = makeInputs(c, rng);
          const context = `${backend.name}: ${c.name} (HWER_TEST_SEED=${testSeed})`;
          const q = b.upload(queries, "queries"), x = b.upload(items, "items");
          const result = await b.cosineTopK(q, x, { k: c.k, exclude });
          b.dispose(q), b.dispose(x);
          assertWellFormed(result, exclude, context);
          assertTopKMatches(
            result,
            referenceTopK(queries, items, c.k, exclude),
            queries,
            items,
            context,
          );
        }
      }),
  });
}

Deno.test({
  name: "cosineTopK() ties go to the lower index on every backend",
  ...gpuSanitizers,
  fn: async (t) => {
    // Items 1, 3 and 4 are the same vector, so their scores are bitwise equal.
    const items: Matrix = {
      rows: 5,
      cols: 3,
      data: new Float32Array([0, 1, 0, 1, 2, 3, 3, 2, 1, 1, 2, 3, 1, 2, 3]),
    };
    const queries: Matrix = { rows: 1, cols: 3, data: new Float32Array([1, 2, 3]) };
    for (const backend of backendCases) {
      await t.step({
        name: backend.name,
        ignore: backend.ignore,
        fn: () =>
          backend.run(async (b) => {
            const top = await b.cosineTopK(b.upload(queries), b.upload(items), { k: 5 });
            assert.deepEqual([...top.indices], [1, 3, 4, 2, 0]);
            assert.equal(top.scores[0], top.scores[2]);
          }),
      });
    }
  },
});

Deno.test({
  name: "cosineTopK() zero vectors score 0 and empty slots are -1/-Infinity",
  ...gpuSanitizers,
  fn: async (t) => {
    const items: Matrix = { rows: 3, cols: 2, data: new Float32Array([0, 0, 1, 0, -1, 0]) };
    const queries: Matrix = { rows: 2, cols: 2, data: new Float32Array([0, 0, 1, 0]) };
    const exclude: ExclusionCsr = {
      offsets: new Int32Array([0, 2, 2]),
      indices: new Int32Array([1, 2]),
    };
    for (const backend of backendCases) {
      await t.step({
        name: backend.name,
        ignore: backend.ignore,
        fn: () =>
          backend.run(async (b) => {
            const top = await b.cosineTopK(b.upload(queries), b.upload(items), { k: 3, exclude });
            assert.deepEqual([...top.indices], [0, -1, -1, 1, 0, 2]);
            assert.deepEqual([...top.scores], [0, -Infinity, -Infinity, 1, 0, -1]);
          }),
      });
    }
  },
});

Deno.test("cosineTopKBlocked() SIMD and TypeScript kernels both match the float64 reference", () => {
  for (const c of cases) {
    for (const kernel of ["simd", "typescript"] as const) {
      const rng = testRng(`${kernel}:${c.name}`);
      const { queries, items, exclude } = makeInputs(c, rng);
      const k = Math.min(c.k, c.n);
      const result = cosineTopKBlocked(queries, items, k, exclude, kernel);
      const context = `${kernel}: ${c.name} (HWER_TEST_SEED=${testSeed})`;
      assertWellFormed(result, exclude, context);
      assertTopKMatches(
        result,
        referenceTopK(queries, items, c.k, exclude),
        queries,
        items,
        context,
      );
    }
  }
});

Deno.test("cosineTopKNaive() and the blocked CPU kernel agree on random input", () => {
  const rng = testRng("naive-vs-blocked");
  const queries = randomMatrix(rng, 23, 9), items = randomMatrix(rng, 57, 9);
  const reference = referenceTopK(queries, items, 7);
  assertTopKMatches(
    cosineTopKNaive(queries, items, 7),
    reference,
    queries,
    items,
    `naive (seed ${testSeed})`,
  );
});

Deno.test({
  name: "cosineTopK() rejects bad arguments with clear errors on every backend",
  ...gpuSanitizers,
  fn: async (t) => {
    for (const backend of backendCases) {
      await t.step({
        name: backend.name,
        ignore: backend.ignore,
        fn: () =>
          backend.run(async (b) => {
            const items = b.upload(
              { rows: 2, cols: 2, data: new Float32Array([1, 0, 0, 1]) },
              "items",
            );
            const narrow = b.upload({ rows: 1, cols: 3, data: new Float32Array(3) }, "narrow");
            await assert.rejects(
              async () => await b.cosineTopK(items, items, { k: 0 }),
              /k must be an integer ≥ 1, got 0/,
            );
            await assert.rejects(
              async () => await b.cosineTopK(narrow, items, { k: 1 }),
              /"narrow" have 3 dims but items "items" have 2/,
            );
            const badIndex = { offsets: new Int32Array([0, 1, 1]), indices: new Int32Array([5]) };
            await assert.rejects(
              async () => await b.cosineTopK(items, items, { k: 1, exclude: badIndex }),
              /indices\[0\] = 5 is outside \[0, 2\)/,
            );
            const badOffsets = { offsets: new Int32Array([0, 1]), indices: new Int32Array([0]) };
            await assert.rejects(
              async () => await b.cosineTopK(items, items, { k: 1, exclude: badOffsets }),
              /queries \+ 1 = 3 entries, got 2/,
            );
            assert.throws(
              () => b.upload({ rows: 1, cols: 2, data: new Float32Array([1, NaN]) }, "bad"),
              /bad: value at row 0, column 1 is NaN/,
            );
            assert.throws(
              () => b.upload({ rows: 2, cols: 2, data: new Float32Array(3) }, "short"),
              /short: 2 × 2 needs 4 values, got 3/,
            );
            b.dispose(items);
            await assert.rejects(
              async () => await b.cosineTopK(items, items, { k: 1 }),
              /"items" was disposed/,
            );
          }),
      });
    }
  },
});
