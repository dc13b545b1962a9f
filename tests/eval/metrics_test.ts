import assert from "node:assert/strict";
import {
  averagePrecisionAtK,
  bucketLabel,
  bucketOf,
  catalogCoverage,
  DEFAULT_BUCKETS,
  mae,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  rmse,
  sampledHit,
  topK,
  userAuc,
} from "../../src/eval/mod.ts";
import { Rng } from "../../src/util/random.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("rmse() and mae() follow their formulas", () => {
  close(rmse([1, 2, 3], [1, 4, 6]), Math.sqrt((0 + 4 + 9) / 3));
  close(mae([1, 2, 3], [1, 4, 6]), 5 / 3);
  assert.throws(() => rmse([1], [1, 2]), /length mismatch/);
});

Deno.test("top-k metrics match hand-computed values", () => {
  const list = [7, 3, 9, 1, 5];
  const relevant = new Set([3, 1, 8]);
  close(precisionAtK(list, relevant, 5), 2 / 5);
  close(precisionAtK([3], relevant, 5), 1 / 5, 0); // divides by k, not by list length
  close(recallAtK(list, relevant, 5), 2 / 3);
  const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
  const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
  close(ndcgAtK(list, relevant, 5), dcg / idcg);
  close(ndcgAtK(list, relevant, 2), (1 / Math.log2(3)) / (1 + 1 / Math.log2(3)));
  close(averagePrecisionAtK(list, relevant, 5), (1 / 2 + 2 / 4) / 3);
  close(averagePrecisionAtK(list, relevant, 3), (1 / 2) / 3);
  assert.equal(precisionAtK([-1, -1], relevant, 2), 0);
});

Deno.test("userAuc() counts ties half and ignores excluded items", () => {
  const scores = Float32Array.of(0.9, 0.5, 0.5, 0.1, 0.8);
  // positives 1 and 4; negatives 0, 2, 3 (item 0 excluded in the second case)
  // item 1 (0.5): below {3}, tie {2} → 1.5/3; item 4 (0.8): below {2, 3} → 2/3
  close(userAuc(scores, [1, 4]), (1.5 / 3 + 2 / 3) / 2);
  const excluded = Uint8Array.of(1, 0, 0, 0, 0);
  close(userAuc(scores, [1, 4], excluded), (1.5 / 2 + 1) / 2);
  // A constant model is no better than chance.
  close(userAuc(new Float32Array(5), [1, 4]), 0.5);
  assert.ok(Number.isNaN(userAuc(scores, [])));
});

Deno.test("sampledHit() ranks the held-out item against the negatives, ties against it", () => {
  const scores = Float32Array.of(0.3, 0.6, 0.6, 0.1);
  assert.equal(sampledHit(scores, 1, [0, 3], 1), 1);
  assert.equal(sampledHit(scores, 1, [0, 2, 3], 1), 0);
  assert.equal(sampledHit(scores, 1, [0, 2, 3], 2), 1);
});

Deno.test("catalogCoverage() counts distinct recommended items over train items", () => {
  close(catalogCoverage([1, 2, 2, -1, 3], 6), 0.5);
});

Deno.test("bucketOf() and bucketLabel() give the default interaction-count buckets", () => {
  assert.deepEqual([0, 1, 5, 6, 20, 21, 50, 51, 900].map((c) => bucketOf(DEFAULT_BUCKETS, c)), [
    0,
    1,
    1,
    2,
    2,
    3,
    3,
    4,
    4,
  ]);
  assert.deepEqual(DEFAULT_BUCKETS.map((_, b) => bucketLabel(DEFAULT_BUCKETS, b)), [
    "0",
    "1–5",
    "6–20",
    "21–50",
    "51+",
  ]);
});

Deno.test("topK() breaks ties to the lower index and never returns excluded items", () => {
  const scores = Float32Array.of(1, 3, 3, 2, 3, NaN);
  assert.deepEqual(Array.from(topK(scores, 3)), [1, 2, 4]);
  assert.deepEqual(Array.from(topK(scores, 3, Uint8Array.of(0, 0, 1, 0, 0, 0))), [1, 4, 3]);
  assert.deepEqual(Array.from(topK(scores, 10, Uint8Array.of(1, 1, 1, 0, 0, 0))), [4, 3]);
  assert.deepEqual(Array.from(topK(scores, 0)), []);
});

Deno.test("topK() agrees with a full sort on random scores", () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + rng.int(300);
    const k = 1 + rng.int(40);
    // few distinct values so ties are common
    const scores = Float32Array.from({ length: n }, () => rng.int(20));
    const excluded = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0));
    const expected = Array.from({ length: n }, (_, i) => i)
      .filter((i) => !excluded[i])
      .sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, k);
    assert.deepEqual(Array.from(topK(scores, k, excluded)), expected);
  }
});
