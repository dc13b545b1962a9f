/**
 * Top-k selection over item scores, excluding each user's train items.
 *
 * @module
 */
import { groupBy } from "../data/dataset.ts";
import type { Dataset } from "../data/types.ts";
import type { Recommender } from "./recommender.ts";

/**
 * The indices of the `k` highest scores, best first, skipping items whose
 * `excluded` mask entry is non-zero and NaN scores. Equal scores go to the
 * lower item index. A partial selection with a size-k heap: O(n log k).
 *
 * @param scores one score per item
 * @param k list length
 * @param excluded optional mask, one entry per item (non-zero = never return)
 * @returns up to k item indices (fewer when fewer items are eligible)
 * @example
 * ```ts
 * import { topK } from "./ranking.ts";
 * const scores = Float32Array.of(0.1, 0.9, 0.5, 0.9);
 * console.log(Array.from(topK(scores, 2))); // [1, 3]
 * console.log(Array.from(topK(scores, 2, Uint8Array.of(0, 1, 0, 0)))); // [3, 2]
 * ```
 */
export function topK(scores: Float32Array, k: number, excluded?: Uint8Array): Int32Array {
  const heap = new Int32Array(Math.max(0, k));
  let size = 0;
  // heap[0] is the worst kept item: lowest score, and among equal scores the highest index.
  const worse = (a: number, b: number) =>
    scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let m = at;
      if (l < size && worse(heap[l], heap[m])) m = l;
      if (r < size && worse(heap[r], heap[m])) m = r;
      if (m === at) return;
      const t = heap[at];
      heap[at] = heap[m];
      heap[m] = t;
      at = m;
    }
  };
  for (let i = 0; i < scores.length; i++) {
    if (excluded && excluded[i]) continue;
    const s = scores[i];
    if (s !== s) continue;
    if (size < k) {
      let at = size++;
      heap[at] = i;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(heap[at], heap[parent])) break;
        const t = heap[at];
        heap[at] = heap[parent];
        heap[parent] = t;
        at = parent;
      }
    } else if (k > 0 && s > scores[heap[0]]) {
      heap[0] = i; // a later index with an equal score never beats a kept one
      siftDown(0);
    }
  }
  const out = heap.slice(0, size);
  out.sort((a, b) => scores[b] - scores[a] || a - b);
  return out;
}

/**
 * Top-k lists for many users, as one row-major array.
 *
 * @example
 * ```ts
 * import type { Recommendations } from "./ranking.ts";
 * const r: Recommendations = { k: 1, users: Int32Array.of(0), items: Int32Array.of(5) };
 * console.log(r.items[0]); // 5
 * ```
 */
export interface Recommendations {
  /** List length. */
  readonly k: number;
  /** The users ranked, in order. */
  readonly users: Int32Array;
  /** users.length × k item indices, best first; -1 pads short lists. */
  readonly items: Int32Array;
}

/**
 * Recommends `k` items to each user from a fitted model's `scoreItems`,
 * never returning an item the user has in `train`.
 *
 * @param model a fitted model with `scoreItems`
 * @param train the train dataset (its interactions are excluded)
 * @param k list length
 * @param users dense user indices (default: every user)
 * @returns the lists
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { Popularity } from "../collab/baselines.ts";
 * import { recommendTopK } from "./ranking.ts";
 * const train = datasetFromTriples("toy", [["a", "x"], ["b", "x"], ["b", "y"], ["c", "z"]]);
 * const model = new Popularity();
 * model.fit(train);
 * const recs = recommendTopK(model, train, 1);
 * console.log(Array.from(recs.items)); // [1, 2, 0]
 * ```
 */
export function recommendTopK(
  model: Recommender,
  train: Dataset,
  k: number,
  users?: ArrayLike<number>,
): Recommendations {
  if (!model.scoreItems) throw new Error(`${model.name} cannot rank: it has no scoreItems()`);
  const nItems = train.items.ids.length;
  const nUsers = train.users.ids.length;
  const list = users ? Int32Array.from(users) : Int32Array.from({ length: nUsers }, (_, u) => u);
  const byUser = groupBy(train.interactions.user, nUsers);
  const scores = new Float32Array(nItems);
  const mask = new Uint8Array(nItems);
  const items = new Int32Array(list.length * k).fill(-1);
  for (let n = 0; n < list.length; n++) {
    const u = list[n];
    model.scoreItems(u, scores);
    const seen = trainItemsOf(byUser, train.interactions.item, u);
    for (const i of seen) mask[i] = 1;
    items.set(topK(scores, k, mask), n * k);
    for (const i of seen) mask[i] = 0;
  }
  return { k, users: list, items };
}

/**
 * The items of user `u` from a by-user grouping (internal to the eval module).
 *
 * @param byUser grouping of the interactions by user
 * @param item the interactions' item column
 * @param u dense user index
 * @returns the user's items, in interaction order
 * @example
 * ```ts
 * import { groupBy } from "../data/dataset.ts";
 * import { trainItemsOf } from "./ranking.ts";
 * const users = Int32Array.of(0, 1, 0);
 * console.log(Array.from(trainItemsOf(groupBy(users, 2), Int32Array.of(7, 8, 9), 0))); // [7, 9]
 * ```
 */
export function trainItemsOf(
  byUser: { offsets: Int32Array; positions: Int32Array },
  item: Int32Array,
  u: number,
): Int32Array {
  const start = byUser.offsets[u];
  const stop = byUser.offsets[u + 1];
  const out = new Int32Array(stop - start);
  for (let p = start; p < stop; p++) out[p - start] = item[byUser.positions[p]];
  return out;
}

/**
 * The train items of each listed user as CSR exclusion lists, the form the
 * backends' cosine top-k takes, so ranking never returns a train item.
 *
 * @param train the train dataset
 * @param users dense user indices, one exclusion row each, in order
 * @returns offsets (users.length + 1) and item indices
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { trainItemsExclusion } from "./ranking.ts";
 * const ds = datasetFromTriples("toy", [["u", "a"], ["v", "b"], ["u", "c"]]);
 * const ex = trainItemsExclusion(ds, [0]);
 * console.log([...ex.offsets], [...ex.indices]); // [0, 2] [0, 2]
 * ```
 */
export function trainItemsExclusion(
  train: Dataset,
  users: ArrayLike<number>,
): { offsets: Int32Array; indices: Int32Array } {
  const seen = groupBy(train.interactions.user, train.users.ids.length);
  const offsets = new Int32Array(users.length + 1);
  const indices: number[] = [];
  for (let n = 0; n < users.length; n++) {
    for (let p = seen.offsets[users[n]]; p < seen.offsets[users[n] + 1]; p++) {
      indices.push(train.interactions.item[seen.positions[p]]);
    }
    offsets[n + 1] = indices.length;
  }
  return { offsets, indices: Int32Array.from(indices) };
}
