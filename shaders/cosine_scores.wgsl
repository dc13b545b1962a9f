// Cosine scores of a chunk of queries against all items:
//   scores[r, j] = dot(Q[row_start + r], X[j]) * inv_q[row_start + r] * inv_x[j]
// Tiled like a matmul of Q · Xᵀ (both stored with d contiguous): a 16 × 16
// workgroup computes a 64 × 64 output tile, 4 × 4 outputs per thread, staging
// 16-wide slices of d through workgroup memory. `cosine_scores_vec4` loads
// those slices as vec4 and needs d % 4 == 0; `cosine_scores_scalar` takes any d.

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;

struct Params {
  // Queries in this chunk.
  rows: u32,
  items: u32,
  dims: u32,
  row_start: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<f32>;
@group(0) @binding(2) var<storage, read> items: array<f32>;
@group(0) @binding(3) var<storage, read> query_inverse_norms: array<f32>;
@group(0) @binding(4) var<storage, read> item_inverse_norms: array<f32>;
@group(0) @binding(5) var<storage, read_write> scores: array<f32>;
@group(0) @binding(6) var<storage, read> queries4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> items4: array<vec4<f32>>;

// Tiles stored depth-major so the inner loop reads consecutive rows.
var<workgroup> query_tile: array<f32, 1024>; // DEPTH * TILE
var<workgroup> item_tile: array<f32, 1024>;
var<private> acc: array<f32, 16>;

fn load_scalar(local: u32, query_base: u32, item_base: u32, depth0: u32) {
  // 256 threads stage 1024 values per tile: 4 each, consecutive threads along d.
  for (var i = 0u; i < 4u; i++) {
    let e = local + i * 256u;
    let r = e / DEPTH;
    let t = e % DEPTH;
    let dim = depth0 + t;
    let q = query_base + r;
    let x = item_base + r;
    var qv = 0.0;
    var xv = 0.0;
    if (dim < params.dims && q < params.row_start + params.rows) {
      qv = queries[q * params.dims + dim];
    }
    if (dim < params.dims && x < params.items) {
      xv = items[x * params.dims + dim];
    }
    query_tile[t * TILE + r] = qv;
    item_tile[t * TILE + r] = xv;
  }
}

fn load_vec4(local: u32, query_base: u32, item_base: u32, depth0: u32) {
  // 256 threads, one vec4 of each tile per thread: row local / 4, dims 4 · (local % 4) + 0..3.
  let r = local / 4u;
  let t = (local % 4u) * 4u;
  let dim = depth0 + t;
  let q = query_base + r;
  let x = item_base + r;
  var qv = vec4<f32>(0.0);
  var xv = vec4<f32>(0.0);
  if (dim < params.dims && q < params.row_start + params.rows) {
    qv = queries4[(q * params.dims + dim) / 4u];
  }
  if (dim < params.dims && x < params.items) {
    xv = items4[(x * params.dims + dim) / 4u];
  }
  for (var c = 0u; c < 4u; c++) {
    query_tile[(t + c) * TILE + r] = qv[c];
    item_tile[(t + c) * TILE + r] = xv[c];
  }
}

fn accumulate(tx: u32, ty: u32) {
  for (var t = 0u; t < DEPTH; t++) {
    let base = t * TILE;
    let q = vec4<f32>(
      query_tile[base + ty],
      query_tile[base + ty + 16u],
      query_tile[base + ty + 32u],
      query_tile[base + ty + 48u],
    );
    let x = vec4<f32>(
      item_tile[base + tx],
      item_tile[base + tx + 16u],
      item_tile[base + tx + 32u],
      item_tile[base + tx + 48u],
    );
    for (var i = 0u; i < 4u; i++) {
      acc[i * 4u + 0u] += q[i] * x[0];
      acc[i * 4u + 1u] += q[i] * x[1];
      acc[i * 4u + 2u] += q[i] * x[2];
      acc[i * 4u + 3u] += q[i] * x[3];
    }
  }
}

// Thread (tx, ty) owns rows ty + 16 i and items tx + 16 j, so neighbouring
// threads write neighbouring scores.
fn store(tx: u32, ty: u32, query_base: u32, item_base: u32) {
  for (var i = 0u; i < 4u; i++) {
    let q = query_base + ty + 16u * i;
    if (q >= params.row_start + params.rows) {
      continue;
    }
    let query_scale = query_inverse_norms[q];
    let out_row = (q - params.row_start) * params.items;
    for (var j = 0u; j < 4u; j++) {
      let x = item_base + tx + 16u * j;
      if (x < params.items) {
        scores[out_row + x] = acc[i * 4u + j] * query_scale * item_inverse_norms[x];
      }
    }
  }
}

@compute @workgroup_size(16, 16)
fn cosine_scores_scalar(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
) {
  let query_base = params.row_start + wid.y * TILE;
  let item_base = wid.x * TILE;
  for (var depth0 = 0u; depth0 < params.dims; depth0 += DEPTH) {
    load_scalar(local, query_base, item_base, depth0);
    workgroupBarrier();
    accumulate(lid.x, lid.y);
    workgroupBarrier();
  }
  store(lid.x, lid.y, query_base, item_base);
}

@compute @workgroup_size(16, 16)
fn cosine_scores_vec4(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
) {
  let query_base = params.row_start + wid.y * TILE;
  let item_base = wid.x * TILE;
  for (var depth0 = 0u; depth0 < params.dims; depth0 += DEPTH) {
    load_vec4(local, query_base, item_base, depth0);
    workgroupBarrier();
    accumulate(lid.x, lid.y);
    workgroupBarrier();
  }
  store(lid.x, lid.y, query_base, item_base);
}
