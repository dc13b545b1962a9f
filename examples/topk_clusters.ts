/**
 * The compute layer on its own: picks a backend, builds a generated catalogue
 * with planted taste clusters, and recommends the 10 most similar unseen items
 * to every user with the batched cosine top-k kernel.
 *
 *   deno run -A examples/topk_clusters.ts     (HWER_BACKEND=cpu|webgpu to force a backend;
 *                                             HWER_EXAMPLE_QUICK=1 for a smaller catalogue)
 *
 * @module
 */
import { selectBackend } from "../mod.ts";
import { Rng } from "../src/util/random.ts";

const quick = Deno.env.get("HWER_EXAMPLE_QUICK") === "1";
const USERS = quick ? 500 : 2000, ITEMS = quick ? 1000 : 5000;
const DIMS = 64, CLUSTERS = 12, SEEN_PER_USER = 40, K = 10;
const rng = new Rng(7);

// Items are noisy copies of cluster centres; each user likes one cluster.
const centres = Array.from({ length: CLUSTERS }, () => rng.uniformArray(DIMS, -1, 1));
const itemCluster = Int32Array.from({ length: ITEMS }, () => rng.int(CLUSTERS));
const userCluster = Int32Array.from({ length: USERS }, () => rng.int(CLUSTERS));
const noisyCopy = (centre: Float32Array, noise: number, out: Float32Array, at: number) => {
  for (let t = 0; t < DIMS; t++) out[at + t] = centre[t] + noise * rng.normal();
};
const items = new Float32Array(ITEMS * DIMS);
for (let i = 0; i < ITEMS; i++) noisyCopy(centres[itemCluster[i]], 0.6, items, i * DIMS);
const users = new Float32Array(USERS * DIMS);
for (let u = 0; u < USERS; u++) noisyCopy(centres[userCluster[u]], 0.8, users, u * DIMS);

// Each user has already seen some random items: never recommend those.
const offsets = new Int32Array(USERS + 1);
const seen = new Int32Array(USERS * SEEN_PER_USER);
for (let u = 0; u < USERS; u++) {
  for (let s = 0; s < SEEN_PER_USER; s++) seen[u * SEEN_PER_USER + s] = rng.int(ITEMS);
  offsets[u + 1] = (u + 1) * SEEN_PER_USER;
}

const { backend, reason } = await selectBackend("auto");
console.log(`backend: ${backend.description} (${reason})`);
const itemTensor = backend.upload({ rows: ITEMS, cols: DIMS, data: items }, "items");
const userTensor = backend.upload({ rows: USERS, cols: DIMS, data: users }, "users");

await backend.cosineTopK(userTensor, itemTensor, { k: K, exclude: { offsets, indices: seen } }); // warm-up
const start = performance.now();
const top = await backend.cosineTopK(userTensor, itemTensor, {
  k: K,
  exclude: { offsets, indices: seen },
});
const ms = performance.now() - start;

let inCluster = 0, seenReturned = 0;
for (let u = 0; u < USERS; u++) {
  const seenSet = new Set(seen.subarray(offsets[u], offsets[u + 1]));
  for (let r = 0; r < K; r++) {
    const item = top.indices[u * K + r];
    if (itemCluster[item] === userCluster[u]) inCluster++;
    if (seenSet.has(item)) seenReturned++;
  }
}
const gflops = (2 * USERS * ITEMS * DIMS) / ms / 1e6;
console.log(
  `top-${K} for ${USERS} users × ${ITEMS} items × ${DIMS} dims: ${ms.toFixed(1)} ms (${
    gflops.toFixed(2)
  } GFLOP/s)`,
);
console.log(
  `recommendations from the user's own taste cluster: ${
    (100 * inCluster / (USERS * K)).toFixed(1)
  } %` +
    ` (random would give ${
      (100 / CLUSTERS).toFixed(1)
    } %); already-seen items returned: ${seenReturned}`,
);
for (let u = 0; u < 3; u++) {
  const row = Array.from(
    top.indices.subarray(u * K, u * K + 5),
    (item, r) =>
      `item ${item} (cluster ${itemCluster[item]}, cos ${top.scores[u * K + r].toFixed(3)})`,
  );
  console.log(`user ${u} (cluster ${userCluster[u]}): ${row.join(", ")}, …`);
}
backend.destroy();
