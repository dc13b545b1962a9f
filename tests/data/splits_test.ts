import assert from "node:assert/strict";
import {
  coldItemSplit,
  coldUserSplit,
  countBy,
  type Dataset,
  datasetFromTriples,
  kFoldSplits,
  leaveLastOutSplit,
  loadMovieLens100k,
  randomSplit,
  type Split,
  stratifiedSplit,
  withValidation,
} from "../../src/data/mod.ts";

const ML_100K = new URL("../../../shared/data/ml-100k/", import.meta.url);
const ds = await loadMovieLens100k(ML_100K);

function pairs(d: Dataset): number[] {
  const x = d.interactions;
  return Array.from({ length: x.length }, (_, k) => x.user[k] * 10000 + x.item[k]);
}

function assertPartition(split: Split, full: Dataset) {
  const train = pairs(split.train);
  const test = pairs(split.test);
  const validation = split.validation ? pairs(split.validation) : [];
  const all = new Set([...train, ...test, ...validation]);
  assert.equal(all.size, full.interactions.length, "parts are disjoint and cover the data");
  assert.equal(train.length + test.length + validation.length, full.interactions.length);
  assert.equal(split.train.items, full.items);
  assert.equal(split.test.users, full.users);
}

Deno.test("randomSplit() is seeded, deterministic and partitions the data", () => {
  const a = randomSplit(ds, { testFraction: 0.2, seed: 1 });
  const b = randomSplit(ds, { testFraction: 0.2, seed: 1 });
  const c = randomSplit(ds, { testFraction: 0.2, seed: 2 });
  assert.equal(a.kind, "random");
  assert.equal(a.test.interactions.length, 20000);
  assert.deepEqual(pairs(a.test), pairs(b.test));
  assert.notDeepEqual(pairs(a.test), pairs(c.test));
  assertPartition(a, ds);
});

Deno.test("stratifiedSplit() keeps 75% of every user's ratings in train", () => {
  const split = stratifiedSplit(ds, { trainRatio: 0.75, seed: 42 });
  assert.equal(split.kind, "stratified");
  assertPartition(split, ds);
  const all = countBy(ds.interactions.user, 943);
  const train = countBy(split.train.interactions.user, 943);
  for (let u = 0; u < 943; u++) {
    const expected = 0.75 * all[u];
    assert.ok(Math.abs(train[u] - expected) <= 0.5, `user ${u}: ${train[u]} of ${all[u]}`);
  }
  const again = stratifiedSplit(ds, { trainRatio: 0.75, seed: 42 });
  assert.deepEqual(pairs(split.test), pairs(again.test));
  const other = stratifiedSplit(ds, { trainRatio: 0.75, seed: 43 });
  assert.notDeepEqual(pairs(split.test), pairs(other.test));
});

Deno.test("coldItemSplit() and coldUserSplit() hold entities out with all their interactions", () => {
  const items = coldItemSplit(ds, { fraction: 0.1, seed: 3 });
  assertPartition(items, ds);
  const trainItems = new Set(items.train.interactions.item);
  const testItems = new Set(items.test.interactions.item);
  assert.equal(testItems.size, Math.round(0.1 * 1682));
  for (const i of testItems) assert.ok(!trainItems.has(i));

  const users = coldUserSplit(ds, { fraction: 0.2, seed: 3 });
  assertPartition(users, ds);
  const trainUsers = new Set(users.train.interactions.user);
  const testUsers = new Set(users.test.interactions.user);
  assert.equal(testUsers.size, Math.round(0.2 * 943));
  for (const u of testUsers) assert.ok(!trainUsers.has(u));
});

Deno.test("leaveLastOutSplit() holds out each user's latest interaction", () => {
  const split = leaveLastOutSplit(ds);
  assertPartition(split, ds);
  assert.equal(split.test.interactions.length, 943);
  const latest = new Float64Array(943);
  const x = ds.interactions;
  for (let k = 0; k < x.length; k++) {
    latest[x.user[k]] = Math.max(latest[x.user[k]], x.timestamp![k]);
  }
  const t = split.test.interactions;
  for (let k = 0; k < t.length; k++) assert.equal(t.timestamp![k], latest[t.user[k]]);

  const toy = datasetFromTriples("toy", [["a", "x", 1, 5], ["a", "y", 1, 5], ["b", "z", 1, 1]]);
  const tie = leaveLastOutSplit(toy);
  assert.deepEqual(Array.from(tie.test.interactions.item), [1], "ties: the later line is later");
  assert.equal(tie.train.interactions.length, 2, "a user with one interaction stays in train");
  assert.throws(
    () => leaveLastOutSplit(datasetFromTriples("no-ts", [["a", "x", 1]])),
    /timestamps/,
  );
});

Deno.test("kFoldSplits() makes folds whose test sets partition the data", () => {
  const folds = kFoldSplits(ds, { folds: 5, seed: 9 });
  const seen = new Set<number>();
  for (const fold of folds) {
    assertPartition(fold, ds);
    assert.equal(fold.test.interactions.length, 20000);
    for (const p of pairs(fold.test)) seen.add(p);
  }
  assert.equal(seen.size, 100000);
});

Deno.test("withValidation() carves validation from train and keeps test", () => {
  const base = stratifiedSplit(ds, { seed: 1 });
  const split = withValidation(base, (train) => randomSplit(train, { testFraction: 0.1, seed: 2 }));
  assertPartition(split, ds);
  assert.deepEqual(pairs(split.test), pairs(base.test));
  assert.equal(
    split.validation!.interactions.length,
    Math.round(0.1 * base.train.interactions.length),
  );
});
