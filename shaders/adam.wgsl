// One Adam step on every element of a parameter tensor, in place:
//   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,
//   p ← p − lr · (m / c₁) / (√(v / c₂) + ε) − lr · λ · p
// with the bias corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ computed on the host.

struct Params {
  count: u32,
  stride: u32,
  _pad0: u32,
  _pad1: u32,
  learning_rate: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  correction1: f32,
  correction2: f32,
  weight_decay: f32,
  _pad2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gradient: array<f32>;
@group(0) @binding(2) var<storage, read_write> parameter: array<f32>;
@group(0) @binding(3) var<storage, read_write> first_moment: array<f32>;
@group(0) @binding(4) var<storage, read_write> second_moment: array<f32>;

@compute @workgroup_size(64)
fn adam_main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.stride;
  if (i >= params.count) {
    return;
  }
  let g = gradient[i];
  let m = params.beta1 * first_moment[i] + (1.0 - params.beta1) * g;
  let v = params.beta2 * second_moment[i] + (1.0 - params.beta2) * g * g;
  first_moment[i] = m;
  second_moment[i] = v;
  let p = parameter[i];
  let step = (m / params.correction1) / (sqrt(v / params.correction2) + params.epsilon);
  parameter[i] = p - params.learning_rate * (step + params.weight_decay * p);
}
