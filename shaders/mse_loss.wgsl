// Mean squared error L = Σ (p − t)² / count and its gradient 2 (p − t) / count.
// `mse_gradient` writes the gradient and one partial sum of squares per
// workgroup; `accumulate_sum` (one workgroup) adds the partials into a running
// total, so a whole epoch's loss is read back once.

const THREADS: u32 = 256u;

struct Params {
  count: u32,
  stride: u32,
  partials: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> prediction: array<f32>;
@group(0) @binding(2) var<storage, read> expected: array<f32>;
@group(0) @binding(3) var<storage, read_write> gradient: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial_sums: array<f32>;
@group(0) @binding(5) var<storage, read_write> total: array<f32>;

var<workgroup> scratch: array<f32, THREADS>;

@compute @workgroup_size(256)
fn mse_gradient(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let i = gid.x + gid.y * params.stride;
  var squared = 0.0;
  if (i < params.count) {
    let diff = prediction[i] - expected[i];
    gradient[i] = 2.0 * diff / f32(params.count);
    squared = diff * diff;
  }
  scratch[local] = squared;
  workgroupBarrier();
  for (var half = THREADS / 2u; half > 0u; half >>= 1u) {
    if (local < half) {
      scratch[local] += scratch[local + half];
    }
    workgroupBarrier();
  }
  if (local == 0u) {
    partial_sums[wid.x + wid.y * groups.x] = scratch[0] / f32(params.count);
  }
}

@compute @workgroup_size(256)
fn accumulate_sum(@builtin(local_invocation_index) local: u32) {
  var sum = 0.0;
  for (var p = local; p < params.partials; p += THREADS) {
    sum += partial_sums[p];
  }
  scratch[local] = sum;
  workgroupBarrier();
  for (var half = THREADS / 2u; half > 0u; half >>= 1u) {
    if (local < half) {
      scratch[local] += scratch[local + half];
    }
    workgroupBarrier();
  }
  if (local == 0u) {
    total[0] += scratch[0];
  }
}
