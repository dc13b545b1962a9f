// Element-wise and reduction kernels of a dense layer's backward pass.

struct Params {
  rows: u32,
  cols: u32,
  // 0 linear, 1 relu, 2 tanh, 3 sigmoid
  activation: u32,
  stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> upstream: array<f32>;
@group(0) @binding(2) var<storage, read> outputs: array<f32>;
@group(0) @binding(3) var<storage, read_write> result: array<f32>;

// dZ = dY ⊙ act'(Z), written with the derivative in terms of the output Y.
@compute @workgroup_size(64)
fn activation_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.stride;
  if (i >= params.rows * params.cols) {
    return;
  }
  let y = outputs[i];
  var derivative = 1.0;
  switch params.activation {
    case 1u: { derivative = select(0.0, 1.0, y > 0.0); }
    case 2u: { derivative = 1.0 - y * y; }
    case 3u: { derivative = y * (1.0 - y); }
    default: {}
  }
  result[i] = upstream[i] * derivative;
}

// db[j] = Σ_r dZ[r, j]: one thread per column (bias widths are small).
@compute @workgroup_size(64)
fn column_sums(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x + gid.y * params.stride;
  if (col >= params.cols) {
    return;
  }
  var sum = 0.0;
  for (var r = 0u; r < params.rows; r++) {
    sum += upstream[r * params.cols + col];
  }
  result[col] = sum;
}
