import assert from "node:assert/strict";
import { BaselineOnly, GlobalMean, NMF, Popularity, SVD } from "../../src/collab/mod.ts";
import { datasetFromTriples, randomSplit, withInteractions } from "../../src/data/mod.ts";
import { selectInteractions } from "../../src/data/mod.ts";

const SCALE = { min: 1, max: 5 };
const toy = datasetFromTriples(
  "toy",
  [
    ["a", "x", 5],
    ["a", "y", 3],
    ["b", "x", 4],
    ["b", "z", 1],
    ["c", "y", 2],
    ["c", "z", 1],
    ["d", "w", 4], // d and w only appear together; dropped below to make them cold
  ],
  SCALE,
);
const train = withInteractions(toy, selectInteractions(toy.interactions, [0, 1, 2, 3, 4, 5]));
const [a, , , d] = [0, 1, 2, 3];
const [x, , , w] = [0, 1, 2, 3];
const mu = (5 + 3 + 4 + 1 + 2 + 1) / 6;

Deno.test("GlobalMean predicts the train mean", () => {
  const model = new GlobalMean();
  assert.throws(() => model.predict(0, 0), /call fit/);
  model.fit(train);
  assert.equal(model.predict(a, x), mu);
  assert.throws(
    () => new GlobalMean().fit(datasetFromTriples("implicit", [["a", "x"]])),
    /ratings/,
  );
});

Deno.test("BaselineOnly follows Surprise's ALS and gives cold entities zero bias", () => {
  const model = new BaselineOnly({ epochs: 1, regUser: 15, regItem: 10 });
  model.fit(train);
  // one sweep: b_i from b_u = 0, then b_u from those b_i
  const bx = ((5 - mu) + (4 - mu)) / (10 + 2);
  assert.ok(Math.abs(model.itemBias[x] - bx) < 1e-12);
  const by = ((3 - mu) + (2 - mu)) / (10 + 2);
  const ba = ((5 - mu - bx) + (3 - mu - by)) / (15 + 2);
  assert.ok(Math.abs(model.userBias[a] - ba) < 1e-12);
  assert.ok(Math.abs(model.predict(a, x) - (mu + ba + bx)) < 1e-12);
  assert.equal(model.predict(d, w), mu);
});

Deno.test("SVD and NMF are deterministic per seed and clip to the rating scale", () => {
  for (
    const make of [
      (seed: number) => new SVD({ factors: 8, seed }),
      (seed: number) => new NMF({ factors: 4, seed }),
    ]
  ) {
    const m1 = make(1);
    const m2 = make(1);
    const m3 = make(2);
    m1.fit(train);
    m2.fit(train);
    m3.fit(train);
    assert.deepEqual(m1.userFactors, m2.userFactors);
    assert.notDeepEqual(m1.userFactors, m3.userFactors);
    for (let u = 0; u < 4; u++) {
      for (let i = 0; i < 4; i++) {
        const p = m1.predict(u, i);
        assert.ok(p >= 1 && p <= 5, `${m1.name} ${p}`);
      }
    }
  }
});

Deno.test("SVD predicts μ + b_i for a cold user and NMF falls back to μ", () => {
  const svd = new SVD({ factors: 4, epochs: 5 });
  svd.fit(train);
  assert.ok(Math.abs(svd.predict(d, x) - (mu + svd.itemBias[x])) < 1e-12);
  assert.equal(svd.userBias[d], 0);
  const pmf = new SVD({ factors: 4, epochs: 5, biased: false });
  pmf.fit(train);
  assert.equal(pmf.predict(d, x), mu, "unbiased: an unknown user gets μ, as in Surprise");
  const nmf = new NMF({ factors: 4 });
  nmf.fit(train);
  assert.equal(nmf.predict(d, x), mu);
  assert.equal(nmf.predict(a, w), mu);
  assert.ok(nmf.userFactors.every((v) => v >= 0) && nmf.itemFactors.every((v) => v >= 0));
});

Deno.test("NMF with biased=true learns biases", () => {
  const nmf = new NMF({ factors: 2, biased: true, epochs: 20 });
  nmf.fit(train);
  assert.ok(nmf.itemBias.some((b) => b !== 0));
});

Deno.test("Popularity scores items by train interaction count", () => {
  const model = new Popularity();
  model.fit(train);
  const scores = new Float32Array(4);
  model.scoreItems(a, scores);
  assert.deepEqual(Array.from(scores), [2, 2, 2, 0]);
  const liked = new Popularity({ minRating: 4 });
  liked.fit(train);
  liked.scoreItems(a, scores);
  assert.deepEqual(Array.from(scores), [2, 0, 0, 0]);
});

Deno.test("models fit on a split's train set through the shared id space", () => {
  const split = randomSplit(toy, { testFraction: 0.3, seed: 5 });
  const model = new SVD({ factors: 2 });
  model.fit(split.train);
  const t = split.test.interactions;
  for (let k = 0; k < t.length; k++) {
    assert.ok(Number.isFinite(model.predict(t.user[k], t.item[k])));
  }
});
