import assert from "node:assert/strict";
import {
  ALPHA_GRID,
  alphaFor,
  type AlphaGains,
  defaultStage,
  fitAlphaTree,
  fitSmoothAlpha,
  fitStageAlphas,
} from "../../src/blend/alpha.ts";

/** Gains peaking at α = preferred(n) for entities with the given counts. */
function gainsPeakingAt(
  counts: number[],
  preferred: (n: number) => number,
  days?: number[],
): AlphaGains {
  const g = ALPHA_GRID.length;
  const gains = new Float64Array(counts.length * g);
  counts.forEach((n, e) =>
    ALPHA_GRID.forEach((a, j) => (gains[e * g + j] = 1 - Math.abs(a - preferred(n))))
  );
  return {
    entities: counts.length,
    gains,
    counts: Int32Array.from(counts),
    days: Float64Array.from(days ?? counts.map(() => NaN)),
    weight: new Float64Array(counts.length).fill(1),
  };
}

Deno.test("fitAlphaTree() finds the split point where the preferred α changes", () => {
  // Entities under 10 interactions want α = 0.9, the rest α = 0.1.
  const counts = Array.from({ length: 200 }, (_, e) => e % 40);
  const rule = fitAlphaTree(gainsPeakingAt(counts, (n) => (n < 10 ? 0.9 : 0.1)), {
    minEntities: 10,
  });
  assert.equal(rule.kind, "buckets");
  assert.deepEqual(rule.kind === "buckets" && rule.lowerBounds, [0, 10]);
  assert.deepEqual(rule.kind === "buckets" && rule.alphas, [0.9, 0.1]);
  assert.equal(alphaFor(rule, 3, NaN), 0.9);
  assert.equal(alphaFor(rule, 25, NaN), 0.1);
});

Deno.test("fitAlphaTree() keeps one bucket when no split helps, and respects minEntities", () => {
  const counts = Array.from({ length: 100 }, (_, e) => e);
  const flat = fitAlphaTree(gainsPeakingAt(counts, () => 0.4));
  assert.deepEqual(flat, { kind: "buckets", lowerBounds: [0], alphas: [0.4] });
  // Only 2 entities below 1: too few for their own bucket.
  const rare = fitAlphaTree(
    gainsPeakingAt([0, 0, ...Array(98).fill(30)], (n) => (n === 0 ? 1 : 0)),
    { minEntities: 5 },
  );
  assert.equal(rare.kind === "buckets" && rare.lowerBounds.length, 1);
});

Deno.test("fitSmoothAlpha() recovers k of α(n) = k / (k + n)", () => {
  const counts = Array.from({ length: 300 }, (_, e) => e % 60);
  const rule = fitSmoothAlpha(gainsPeakingAt(counts, (n) => 5 / (5 + n)));
  assert.deepEqual(rule, { kind: "smooth", k: 5 });
  assert.equal(alphaFor(rule, 0, NaN), 1);
});

Deno.test("fitStageAlphas() fits one α per life-cycle stage", () => {
  const counts = [0, 2, 10, 20, 60, 80], days = [1, 400, 400, 10, 400, 400];
  const stageAlpha = { new: 1, growing: 0.5, mature: 0 };
  const gains = gainsPeakingAt(counts, () => 0);
  counts.forEach((n, e) => {
    const preferred = stageAlpha[defaultStage(n, days[e])];
    ALPHA_GRID.forEach((
      a,
      j,
    ) => (gains.gains[e * ALPHA_GRID.length + j] = 1 - Math.abs(a - preferred)));
  });
  const rule = fitStageAlphas({ ...gains, days: Float64Array.from(days) });
  assert.deepEqual(rule, { kind: "stages", alphas: stageAlpha });
  assert.equal(defaultStage(20, 10), "new", "a young entity is new whatever its count");
  assert.equal(defaultStage(60, NaN), "mature", "without timestamps only the count decides");
});
