// Top-k of every row of a chunk of the score matrix, one workgroup per row.
// Workgroup memory holds 2·CHUNK (score, index) pairs: slots [0, CHUNK) keep the
// best seen so far, sorted best first; each round loads the next CHUNK items
// into [CHUNK, 2·CHUNK), bitonic-sorts them worst first, keeps the better of
// slots p and p + CHUNK (the half-cleaner: [0, CHUNK) then holds the CHUNK best
// of both, as a bitonic sequence) and bitonic-merges [0, CHUNK) back to best
// first. "Better" is the higher score, ties to the lower index. CHUNK is a
// power of two ≥ k, set by the host through specialisation.

const CHUNK: u32 = 512u;
const THREADS: u32 = 256u;
// Scores below this were excluded by exclude_mask.wgsl.
const EXCLUDED_BELOW: f32 = -2.0;
const EMPTY_SCORE: f32 = -3.0e38;
const EMPTY_INDEX: u32 = 0xffffffffu;

struct Params {
  items: u32,
  k: u32,
  row_start: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read_write> out_indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out_scores: array<f32>;

var<workgroup> keys: array<f32, 2 * CHUNK>;
var<workgroup> ids: array<u32, 2 * CHUNK>;

fn better(sa: f32, ia: u32, sb: f32, ib: u32) -> bool {
  return sa > sb || (sa == sb && ia < ib);
}

// Orders slots a < b: best first when `best_first`, else worst first.
fn compare_exchange(a: u32, b: u32, best_first: bool) {
  let sa = keys[a];
  let ia = ids[a];
  let sb = keys[b];
  let ib = ids[b];
  if (better(sb, ib, sa, ia) == best_first && (sa != sb || ia != ib)) {
    keys[a] = sb;
    ids[a] = ib;
    keys[b] = sa;
    ids[b] = ia;
  }
}

@compute @workgroup_size(256)
fn topk_select_main(
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
) {
  let row = wid.x;
  let row_base = row * params.items;
  for (var p = local; p < CHUNK; p += THREADS) {
    keys[p] = EMPTY_SCORE;
    ids[p] = EMPTY_INDEX;
  }
  for (var chunk0 = 0u; chunk0 < params.items; chunk0 += CHUNK) {
    for (var p = local; p < CHUNK; p += THREADS) {
      let item = chunk0 + p;
      var s = EMPTY_SCORE;
      var id = EMPTY_INDEX;
      if (item < params.items) {
        let v = scores[row_base + item];
        if (v >= EXCLUDED_BELOW) {
          s = v;
          id = item;
        }
      }
      keys[CHUNK + p] = s;
      ids[CHUNK + p] = id;
    }
    workgroupBarrier();
    // Bitonic sort of the new chunk, worst first.
    for (var size = 2u; size <= CHUNK; size <<= 1u) {
      for (var stride = size >> 1u; stride > 0u; stride >>= 1u) {
        for (var p = local; p < CHUNK / 2u; p += THREADS) {
          let i = 2u * stride * (p / stride) + (p % stride);
          // Sub-sequences alternate direction; the final one is worst first.
          compare_exchange(CHUNK + i, CHUNK + i + stride, (i & size) != 0u);
        }
        workgroupBarrier();
      }
    }
    // Half-cleaner: best-first kept list against worst-first new chunk.
    for (var p = local; p < CHUNK; p += THREADS) {
      if (better(keys[CHUNK + p], ids[CHUNK + p], keys[p], ids[p])) {
        keys[p] = keys[CHUNK + p];
        ids[p] = ids[CHUNK + p];
      }
    }
    workgroupBarrier();
    // Bitonic merge of [0, CHUNK), best first.
    for (var stride = CHUNK >> 1u; stride > 0u; stride >>= 1u) {
      for (var p = local; p < CHUNK / 2u; p += THREADS) {
        let i = 2u * stride * (p / stride) + (p % stride);
        compare_exchange(i, i + stride, true);
      }
      workgroupBarrier();
    }
  }
  let out_base = (params.row_start + row) * params.k;
  for (var t = local; t < params.k; t += THREADS) {
    let id = ids[t];
    out_indices[out_base + t] = select(i32(id), -1, id == EMPTY_INDEX);
    out_scores[out_base + t] = keys[t];
  }
}
