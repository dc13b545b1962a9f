// The weighted triplet loss on cosine distance d(x, y) = 1 − cos(x, y):
//   L = max(0, w_p · d(a, p) − d(a, n) / w_n + margin), averaged over the batch.
// Operands come stacked, rows [anchors; positives; negatives] (B rows each),
// and `triplet_gradients` writes the gradient rows in the same layout, plus one
// loss term per triplet.
//
// Accumulating those rows into embedding tables is a segmented reduction, not
// atomics: the host, which samples the triplets anyway, sorts the target rows
// into segments (offsets + order), and `segment_sum` adds each segment's rows
// in that fixed order. Float atomics would need compare-exchange loops that
// spin on popular items and give a different sum order every run; segments
// are contention-free and bit-reproducible, so WebGPU matches the CPU.
// `adam_rows` then applies Adam to the touched rows only (lazy Adam).

struct Params {
  count: u32,
  dims: u32,
  stride: u32,
  _pad0: u32,
  margin: f32,
  scale: f32,
  _pad1: f32,
  _pad2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> operands: array<f32>;
// (w_p, w_n) per triplet.
@group(0) @binding(4) var<storage, read> weights: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> gradients: array<f32>;
@group(0) @binding(6) var<storage, read_write> losses: array<f32>;

// A vector shorter than this counts as zero: its cosines are 0 and a pair
// involving it contributes no gradient (the gradient of cos at 0 is unbounded).
const NORM_FLOOR: f32 = 1e-6;

@compute @workgroup_size(64)
fn triplet_gradients(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x + gid.y * params.stride;
  if (t >= params.count) {
    return;
  }
  let d = params.dims;
  let base = t * d;
  let positive_row = (params.count + t) * d;
  let negative_row = (2u * params.count + t) * d;
  var aa = 0.0;
  var pp = 0.0;
  var nn = 0.0;
  var ap = 0.0;
  var an = 0.0;
  for (var i = 0u; i < d; i++) {
    let a = operands[base + i];
    let p = operands[positive_row + i];
    let n = operands[negative_row + i];
    aa += a * a;
    pp += p * p;
    nn += n * n;
    ap += a * p;
    an += a * n;
  }
  let na = max(sqrt(aa), NORM_FLOOR);
  let np = max(sqrt(pp), NORM_FLOOR);
  let nn_ = max(sqrt(nn), NORM_FLOOR);
  let has_ap = na > NORM_FLOOR && np > NORM_FLOOR;
  let has_an = na > NORM_FLOOR && nn_ > NORM_FLOOR;
  let cos_ap = select(0.0, ap / (na * np), has_ap);
  let cos_an = select(0.0, an / (na * nn_), has_an);
  let w = weights[t];
  let loss = w.x * (1.0 - cos_ap) - (1.0 - cos_an) / w.y + params.margin;
  let violated = loss > 0.0;
  losses[t] = select(0.0, loss * params.scale, violated);
  // ∂L/∂cos_ap = −w_p, ∂L/∂cos_an = 1 / w_n, scaled by 1 / batch.
  let g_ap = select(0.0, -w.x * params.scale, violated && has_ap);
  let g_an = select(0.0, params.scale / w.y, violated && has_an);
  for (var i = 0u; i < d; i++) {
    let a = operands[base + i];
    let p = operands[positive_row + i];
    let n = operands[negative_row + i];
    // ∂cos(x, y)/∂x = y / (|x||y|) − cos · x / |x|²
    let dcos_ap_a = p / (na * np) - cos_ap * a / (na * na);
    let dcos_ap_p = a / (na * np) - cos_ap * p / (np * np);
    let dcos_an_a = n / (na * nn_) - cos_an * a / (na * na);
    let dcos_an_n = a / (na * nn_) - cos_an * n / (nn_ * nn_);
    gradients[base + i] = g_ap * dcos_ap_a + g_an * dcos_an_a;
    gradients[positive_row + i] = g_ap * dcos_ap_p;
    gradients[negative_row + i] = g_an * dcos_an_n;
  }
}

struct SegmentParams {
  segments: u32,
  dims: u32,
  stride: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> segment_params: SegmentParams;
@group(0) @binding(1) var<storage, read> rows: array<f32>;
@group(0) @binding(2) var<storage, read> segment_offsets: array<u32>;
@group(0) @binding(3) var<storage, read> segment_order: array<u32>;
@group(0) @binding(4) var<storage, read_write> sums: array<f32>;

// sums[k, i] = Σ_{j ∈ [offsets[k], offsets[k+1])} rows[order[j], i], one thread per (k, i).
@compute @workgroup_size(64)
fn segment_sum(@builtin(global_invocation_id) gid: vec3<u32>) {
  let e = gid.x + gid.y * segment_params.stride;
  if (e >= segment_params.segments * segment_params.dims) {
    return;
  }
  let k = e / segment_params.dims;
  let i = e % segment_params.dims;
  var sum = 0.0;
  for (var j = segment_offsets[k]; j < segment_offsets[k + 1u]; j++) {
    sum += rows[segment_order[j] * segment_params.dims + i];
  }
  sums[e] = sum;
}

struct AdamRowsParams {
  rows: u32,
  dims: u32,
  stride: u32,
  _pad0: u32,
  learning_rate: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  correction1: f32,
  correction2: f32,
  weight_decay: f32,
  _pad1: f32,
}

@group(0) @binding(0) var<uniform> adam_params: AdamRowsParams;
@group(0) @binding(1) var<storage, read> row_gradients: array<f32>;
@group(0) @binding(2) var<storage, read> touched_rows: array<u32>;
@group(0) @binding(3) var<storage, read_write> table: array<f32>;
@group(0) @binding(4) var<storage, read_write> first_moment: array<f32>;
@group(0) @binding(5) var<storage, read_write> second_moment: array<f32>;

// Adam on the touched rows of a table (rows listed once each, so no races).
@compute @workgroup_size(64)
fn adam_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let e = gid.x + gid.y * adam_params.stride;
  if (e >= adam_params.rows * adam_params.dims) {
    return;
  }
  let k = e / adam_params.dims;
  let i = e % adam_params.dims;
  let at = touched_rows[k] * adam_params.dims + i;
  let g = row_gradients[e];
  let m = adam_params.beta1 * first_moment[at] + (1.0 - adam_params.beta1) * g;
  let v = adam_params.beta2 * second_moment[at] + (1.0 - adam_params.beta2) * g * g;
  first_moment[at] = m;
  second_moment[at] = v;
  let p = table[at];
  let step = (m / adam_params.correction1) / (sqrt(v / adam_params.correction2) + adam_params.epsilon);
  table[at] = p - adam_params.learning_rate * (step + adam_params.weight_decay * p);
}
