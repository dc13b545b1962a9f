/**
 * Binds shaders/triplet.wgsl: weighted triplet gradients, segmented row sums
 * and row-sparse Adam. Nothing is read back.
 *
 * @module
 */
import type { AdamOptions } from "../backend.ts";
import { TRIPLET_WGSL } from "../../../shaders/wgsl.ts";
import { BufferUsage } from "./_usage.ts";
import { grid1d, input, output, uniform } from "./_dispatch.ts";
import type { GpuContext } from "./context.ts";
import type { DeviceMatrix } from "./cosine_topk.ts";
import { accumulateInto, adamUniforms, allocateMatrix } from "./nn.ts";

const INDEX_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_DST;

const SPECS = {
  gradients: {
    label: "triplet_gradients",
    code: TRIPLET_WGSL,
    entryPoint: "triplet_gradients",
    bindings: [uniform(0), input(1), input(4), output(5), output(6)],
  },
  segmentSum: {
    label: "segment_sum",
    code: TRIPLET_WGSL,
    entryPoint: "segment_sum",
    bindings: [uniform(0), input(1), input(2), input(3), output(4)],
  },
  adamRows: {
    label: "adam_rows",
    code: TRIPLET_WGSL,
    entryPoint: "adam_rows",
    bindings: [uniform(0), input(1), input(2), output(3), output(4), output(5)],
  },
};

/** Uploads host values into a pooled storage buffer, released once the recorded work is submitted. */
function uploadTemporary(ctx: GpuContext, values: ArrayBufferView, label: string): GPUBuffer {
  const buffer = ctx.acquireBuffer(values.byteLength, INDEX_USAGE, label);
  ctx.write(buffer, values);
  ctx.releaseAfterSubmit(buffer);
  return buffer;
}

/** Records the triplet gradients (3B × E) and adds the batch loss into `total[0]`. */
export async function gpuTripletGradients(
  ctx: GpuContext,
  triplets: DeviceMatrix,
  weights: Float32Array,
  margin: number,
  total: DeviceMatrix,
): Promise<DeviceMatrix> {
  const count = triplets.rows / 3, dims = triplets.cols;
  const gradients = allocateMatrix(ctx, 3 * count, dims, "triplet-gradients");
  if (count === 0) return gradients;
  const weightBuffer = uploadTemporary(ctx, weights, "triplet-weights");
  const losses = ctx.acquireBuffer(count * 4, INDEX_USAGE, "triplet-losses");
  const grid = grid1d(count, 64);
  const params = new ArrayBuffer(32);
  new Uint32Array(params, 0, 4).set([count, dims, grid[0] * 64, 0]);
  new Float32Array(params, 16, 4).set([margin, 1 / count, 0, 0]);
  ctx.dispatch(
    "tripletGradients",
    await ctx.kernel(SPECS.gradients),
    {
      1: triplets.buffer,
      4: weightBuffer,
      5: gradients.buffer,
      6: losses,
    },
    grid,
    new Uint8Array(params),
  );
  await accumulateInto(ctx, "tripletGradients", losses, count, total);
  ctx.releaseBuffer(losses);
  return gradients;
}

/** Records `out[k] = Σ rows[order[j]]` over segment k, in order. */
export async function gpuSegmentSum(
  ctx: GpuContext,
  rows: DeviceMatrix,
  offsets: Int32Array,
  order: Int32Array,
): Promise<DeviceMatrix> {
  const segments = offsets.length - 1, dims = rows.cols;
  const sums = allocateMatrix(ctx, segments, dims, "segment-sums");
  if (segments === 0 || dims === 0) return sums;
  const grid = grid1d(segments * dims, 64);
  ctx.dispatch(
    "segmentSum",
    await ctx.kernel(SPECS.segmentSum),
    {
      1: rows.buffer,
      2: uploadTemporary(ctx, offsets, "segment-offsets"),
      3: uploadTemporary(ctx, order.length > 0 ? order : new Int32Array(1), "segment-order"),
      4: sums.buffer,
    },
    grid,
    new Uint32Array([segments, dims, grid[0] * 64, 0]),
  );
  return sums;
}

/** Records Adam on the listed rows of `table`. */
export async function gpuAdamRows(
  ctx: GpuContext,
  table: DeviceMatrix,
  rows: Int32Array,
  gradient: DeviceMatrix,
  m: DeviceMatrix,
  v: DeviceMatrix,
  step: number,
  options: AdamOptions,
): Promise<void> {
  const count = rows.length * table.cols;
  if (count === 0) return;
  const grid = grid1d(count, 64);
  const params = adamUniforms([rows.length, table.cols, grid[0] * 64, 0], step, options);

  ctx.dispatch(
    "adamRows",
    await ctx.kernel(SPECS.adamRows),
    {
      1: gradient.buffer,
      2: uploadTemporary(ctx, rows, "adam-rows"),
      3: table.buffer,
      4: m.buffer,
      5: v.buffer,
    },
    grid,
    params,
  );
}
