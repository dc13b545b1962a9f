// 1 / ||row|| for every row of a row-major matrix; 0 for a zero row, so its
// cosine with anything is 0.

struct Params {
  rows: u32,
  cols: u32,
  // Threads per dispatch row, for grids wider than 65535 workgroups.
  stride: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> matrix: array<f32>;
@group(0) @binding(2) var<storage, read_write> inverse_norms: array<f32>;

@compute @workgroup_size(64)
fn inverse_norms_main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x + gid.y * params.stride;
  if (row >= params.rows) {
    return;
  }
  var sum = 0.0;
  let base = row * params.cols;
  for (var c = 0u; c < params.cols; c++) {
    let v = matrix[base + c];
    sum += v * v;
  }
  inverse_norms[row] = select(0.0, inverseSqrt(sum), sum > 0.0);
}
