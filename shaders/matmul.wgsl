// C = act(op(A) · op(B) + bias): a general strided matmul for dense layers.
// op(A)[i, t] = a[i * a_row + t * a_col] and op(B)[t, j] = b[t * b_row + j * b_col],
// so transposes are just strides (forward X·W, dW = Xᵀ·dZ, dX = dZ·Wᵀ).
// A 16 × 16 workgroup computes a 64 × 64 tile of C, 4 × 4 outputs per thread,
// staging 16-deep slices of A and B through workgroup memory.

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  a_row: u32,
  a_col: u32,
  b_row: u32,
  b_col: u32,
  // 0 linear, 1 relu, 2 tanh, 3 sigmoid
  activation: u32,
  has_bias: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

var<workgroup> a_tile: array<f32, 1024>; // [t * TILE + row]
var<workgroup> b_tile: array<f32, 1024>; // [t * TILE + col]

fn activate(x: f32, kind: u32) -> f32 {
  switch kind {
    case 1u: { return max(x, 0.0); }
    case 2u: { return tanh(x); }
    case 3u: { return 1.0 / (1.0 + exp(-x)); }
    default: { return x; }
  }
}

@compute @workgroup_size(16, 16)
fn matmul_main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
) {
  let row_base = wid.y * TILE;
  let col_base = wid.x * TILE;
  var acc: array<f32, 16>;
  for (var depth0 = 0u; depth0 < params.k; depth0 += DEPTH) {
    for (var i = 0u; i < 4u; i++) {
      let e = local + i * 256u;
      let r = e / DEPTH;
      let t = e % DEPTH;
      let depth = depth0 + t;
      var av = 0.0;
      var bv = 0.0;
      if (depth < params.k && row_base + r < params.m) {
        av = a[(row_base + r) * params.a_row + depth * params.a_col];
      }
      if (depth < params.k && col_base + r < params.n) {
        bv = b[depth * params.b_row + (col_base + r) * params.b_col];
      }
      a_tile[t * TILE + r] = av;
      b_tile[t * TILE + r] = bv;
    }
    workgroupBarrier();
    for (var t = 0u; t < DEPTH; t++) {
      let base = t * TILE;
      let av = vec4<f32>(a_tile[base + lid.y], a_tile[base + lid.y + 16u], a_tile[base + lid.y + 32u], a_tile[base + lid.y + 48u]);
      let bv = vec4<f32>(b_tile[base + lid.x], b_tile[base + lid.x + 16u], b_tile[base + lid.x + 32u], b_tile[base + lid.x + 48u]);
      for (var i = 0u; i < 4u; i++) {
        acc[i * 4u + 0u] += av[i] * bv[0];
        acc[i * 4u + 1u] += av[i] * bv[1];
        acc[i * 4u + 2u] += av[i] * bv[2];
        acc[i * 4u + 3u] += av[i] * bv[3];
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = row_base + lid.y + 16u * i;
    if (row >= params.m) {
      continue;
    }
    for (var j = 0u; j < 4u; j++) {
      let col = col_base + lid.x + 16u * j;
      if (col < params.n) {
        var v = acc[i * 4u + j];
        if (params.has_bias != 0u) {
          v += bias[col];
        }
        c[row * params.n + col] = activate(v, params.activation);
      }
    }
  }
}
