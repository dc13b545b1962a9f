import assert from "node:assert/strict";
import {
  sampleTriplets,
  trainTripletEmbeddings,
  TripletRecommender,
} from "../../src/collab/triplet.ts";
import { CpuBackend } from "../../src/compute/cpu/backend.ts";
import {
  datasetFromTriples,
  groupBy,
  loadMovieLens100k,
  stratifiedSplit,
} from "../../src/data/mod.ts";
import type { Dataset } from "../../src/data/types.ts";
import { evaluate } from "../../src/eval/mod.ts";
import { Rng } from "../../src/util/random.ts";
import { gpuSanitizers, skipGpu, testRng, testSeed, withGpu } from "../compute/_gpu.ts";

/** Users and items in planted clusters; users rate items of their own cluster high, others rarely and low. */
function clustered(
  seedName: string,
  clusters = 4,
  usersPer = 15,
  itemsPer = 12,
): { data: Dataset; clusterOf: (row: number) => number } {
  const rng = testRng(seedName);
  const triples: [string, string, number][] = [];
  const users = clusters * usersPer, items = clusters * itemsPer;
  for (let u = 0; u < users; u++) {
    const home = u % clusters;
    for (let i = 0; i < items; i++) {
      const same = i % clusters === home;
      if (same ? rng.next() < 0.6 : rng.next() < 0.04) {
        triples.push([`u${u}`, `i${i}`, same ? 4 + rng.int(2) : 1 + rng.int(2)]);
      }
    }
  }
  const data = datasetFromTriples("clusters", triples);
  const userCluster = data.users.ids.map((id) => Number(id.slice(1)) % clusters);
  const itemCluster = data.items.ids.map((id) => Number(id.slice(1)) % clusters);
  const n = data.users.ids.length;
  return { data, clusterOf: (row) => row < n ? userCluster[row] : itemCluster[row - n] };
}

Deno.test("sampleTriplets() follows the sampling rules and is deterministic for a seed", () => {
  const ds = datasetFromTriples("toy", [
    ["u1", "a", 5],
    ["u1", "b", 1],
    ["u1", "c", 3],
    ["u2", "a", 4],
    ["u2", "d", 2],
    ["u3", "e", 3],
  ]);
  const users = ds.users.ids.length;
  const rated = new Map<string, number>();
  for (let n = 0; n < ds.interactions.length; n++) {
    rated.set(
      `${ds.interactions.user[n]}:${users + ds.interactions.item[n]}`,
      ds.interactions.rating![n],
    );
  }
  for (const seed of [1, 2, 3]) {
    const t = sampleTriplets(ds, new Rng(seed), {
      positives: "above-mean",
      hardNegativeProbability: 1,
      beta: 1,
    });
    for (let k = 0; k < t.anchors.length; k++) {
      const u = t.anchors[k], p = t.positives[k], n = t.negatives[k];
      const mean = [3, 3, 3][u];
      const rp = rated.get(`${u}:${p}`)!;
      // u3 rated one item: it is "everything alike", so its top rating is the positive.
      assert.ok(rp > mean || u === 2, `positive ${p} of user ${u} rated ${rp}`);
      const rn = rated.get(`${u}:${n}`);
      if (rn !== undefined) {
        assert.ok(rn < mean, `a rated negative must be below the mean, got ${rn}`);
      }
      const expectedWp = 1 + Math.log1p(Math.abs(rp - mean) / 4);
      assert.ok(
        Math.abs(t.weights[2 * k] - expectedWp) < 1e-6,
        "w_p = 1 + β log1p(|r − r̄| / range)",
      );
    }
  }
  const a = sampleTriplets(ds, new Rng(9)), b = sampleTriplets(ds, new Rng(9));
  assert.deepEqual([a.anchors, a.positives, a.negatives], [b.anchors, b.positives, b.negatives]);
  // positives "all", q = 0: one triplet per interaction, random negatives the user has not seen.
  const all = sampleTriplets(ds, new Rng(4), { positives: "all" });
  assert.equal(all.anchors.length, ds.interactions.length);
  for (let k = 0; k < all.anchors.length; k++) {
    assert.equal(rated.get(`${all.anchors[k]}:${all.negatives[k]}`), undefined);
    assert.equal(all.weights[2 * k + 1], 1);
  }
});

Deno.test("sampleTriplets() item→item and user→user triplets come from co-interaction", () => {
  const { data } = clustered("co-interaction");
  const users = data.users.ids.length;
  const byUser = groupBy(data.interactions.user, users);
  const itemsOf = (u: number) =>
    new Set(
      Array.from(byUser.positions.subarray(byUser.offsets[u], byUser.offsets[u + 1]), (p) =>
        data.interactions.item[p]),
    );
  const t = sampleTriplets(data, new Rng(3), { itemTriplets: 1, userTriplets: 1 });
  let itemItem = 0, userUser = 0;
  for (let k = 0; k < t.anchors.length; k++) {
    const [a, p] = [t.anchors[k], t.positives[k]];
    if (a >= users) {
      itemItem++;
      const [i, j] = [a - users, p - users];
      assert.ok(
        [...Array(users).keys()].some((u) => itemsOf(u).has(i) && itemsOf(u).has(j)),
        `items ${i}, ${j} share a user`,
      );
    } else if (p < users) {
      userUser++;
      assert.ok([...itemsOf(a)].some((i) => itemsOf(p).has(i)), `users ${a}, ${p} share an item`);
    }
  }
  assert.ok(itemItem > 0 && userUser > 0, `${itemItem} item→item, ${userUser} user→user`);
});

Deno.test("trainTripletEmbeddings() lowers the loss and recovers planted clusters", async () => {
  const { data, clusterOf } = clustered("planted");
  // Cross-cluster ratings are low: with "above-mean" positives they only act as negatives.
  const e = await trainTripletEmbeddings(data, {
    dims: 16,
    epochs: 30,
    batchSize: 128,
    validationFraction: 0,
    positives: "above-mean",
    seed: 3,
  });
  assert.ok(e.losses.at(-1)! < e.losses[0] / 2, `loss ${e.losses[0]} → ${e.losses.at(-1)}`);
  const d = e.table.cols;
  const cos = (x: number, y: number) => {
    let dot = 0, xx = 0, yy = 0;
    for (let t = 0; t < d; t++) {
      const a = e.table.data[x * d + t], b = e.table.data[y * d + t];
      dot += a * b, xx += a * a, yy += b * b;
    }
    return dot / Math.sqrt(xx * yy);
  };
  // Each user's 5 nearest items are mostly from the user's cluster.
  let inCluster = 0;
  for (let u = 0; u < e.users; u++) {
    const ranked = Array.from({ length: e.items }, (_, i) => e.users + i).sort((x, y) =>
      cos(u, y) - cos(u, x)
    );
    inCluster += ranked.slice(0, 5).filter((row) => clusterOf(row) === clusterOf(u)).length;
  }
  assert.ok(
    inCluster / (5 * e.users) > 0.9,
    `${inCluster} of ${5 * e.users} nearest items in cluster (HWER_TEST_SEED=${testSeed})`,
  );
});

Deno.test({
  name:
    "trainTripletEmbeddings() on WebGPU equals the CPU backend within 1e-4 after the same steps, tower included",
  ignore: skipGpu,
  ...gpuSanitizers,
  fn: () =>
    withGpu(async (gpu) => {
      const { data } = clustered("equivalence", 3, 6, 5);
      const rng = testRng("equivalence-content");
      const content = {
        users: {
          rows: data.users.ids.length,
          cols: 8,
          data: rng.uniformArray(data.users.ids.length * 8, -1, 1),
        },
        items: {
          rows: data.items.ids.length,
          cols: 8,
          data: rng.uniformArray(data.items.ids.length * 8, -1, 1),
        },
      };
      const options = {
        epochs: 3,
        batchSize: 16,
        validationFraction: 0,
        seed: 11,
        content,
        itemTriplets: 0.5,
      };
      const cpu = await trainTripletEmbeddings(data, { ...options, backend: new CpuBackend() });
      const onGpu = await trainTripletEmbeddings(data, { ...options, backend: gpu });
      const pairs: [string, Float32Array, Float32Array][] = [
        ["table", onGpu.table.data, cpu.table.data],
        ["tower weights", onGpu.tower!.weights.data, cpu.tower!.weights.data],
        ["tower bias", onGpu.tower!.bias.data, cpu.tower!.bias.data],
      ];
      for (const [name, actual, expected] of pairs) {
        for (let i = 0; i < expected.length; i++) {
          assert.ok(
            Math.abs(actual[i] - expected[i]) <= 1e-4,
            `${name}[${i}]: ${actual[i]} vs ${expected[i]}`,
          );
        }
      }
      for (const [e, loss] of onGpu.losses.entries()) {
        assert.ok(Math.abs(loss - cpu.losses[e]) <= 1e-4, `epoch ${e + 1} loss`);
      }
    }),
});

Deno.test("TripletRecommender on ML-100k stratified 75/25 reaches NDCG@10 ≥ 0.40", async () => {
  const ds = await loadMovieLens100k(new URL("../../../shared/data/ml-100k/", import.meta.url));
  const split = stratifiedSplit(ds, { seed: 42 });
  const result = await evaluate(new TripletRecommender({ seed: 42 }), split, {
    metrics: ["ndcg", "precision"],
    k: 10,
  });
  assert.ok(result.metrics["ndcg@10"] >= 0.4, `NDCG@10 ${result.metrics["ndcg@10"]}`);
});

Deno.test("trainTripletEmbeddings() rejects content of the wrong shape", async () => {
  const ds = datasetFromTriples("toy", [["u1", "a"], ["u2", "b"]]);
  const content = {
    users: { rows: 1, cols: 2, data: new Float32Array(2) },
    items: { rows: 2, cols: 2, data: new Float32Array(4) },
  };
  await assert.rejects(
    () => trainTripletEmbeddings(ds, { content, validationFraction: 0 }),
    /content must be 2 users and 2 items/,
  );
});
