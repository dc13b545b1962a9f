// out[r, :] = source[indices[r], :] — assembles a mini-batch on the device.

struct Params {
  rows: u32,
  cols: u32,
  stride: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<u32>;
@group(0) @binding(3) var<storage, read_write> gathered: array<f32>;

@compute @workgroup_size(64)
fn gather_rows_main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.stride;
  if (i >= params.rows * params.cols) {
    return;
  }
  let r = i / params.cols;
  let c = i % params.cols;
  gathered[i] = source[indices[r] * params.cols + c];
}
