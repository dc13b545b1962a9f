// Marks excluded (query, item) pairs in a chunk of the score matrix so the
// top-k pass skips them. One thread per exclusion entry; entries are COO
// (query row, item) pairs over all queries; the chunk starts at row_start.

// Below any cosine; topk_select.wgsl treats scores under -2 as excluded.
const EXCLUDED: f32 = -3.0e38;

struct Params {
  first_entry: u32,
  entries: u32,
  items: u32,
  stride: u32,
  row_start: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> entry_rows: array<u32>;
@group(0) @binding(2) var<storage, read> entry_items: array<u32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

@compute @workgroup_size(64)
fn exclude_mask_main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let local = gid.x + gid.y * params.stride;
  if (local >= params.entries) {
    return;
  }
  let e = params.first_entry + local;
  scores[(entry_rows[e] - params.row_start) * params.items + entry_items[e]] = EXCLUDED;
}
