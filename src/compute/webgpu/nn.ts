/**
 * Binds the dense-layer, loss, optimiser and gather shaders. Every op records
 * dispatches into the context's pending command buffer; nothing is read back.
 *
 * @module
 */
import type { Activation, AdamOptions } from "../backend.ts";
import { adamConstants } from "../cpu/nn.ts";
import {
  ADAM_WGSL,
  DENSE_BACKWARD_WGSL,
  GATHER_ROWS_WGSL,
  MATMUL_WGSL,
  MSE_LOSS_WGSL,
} from "../../../shaders/wgsl.ts";
import { BufferUsage } from "./_usage.ts";
import { grid1d, input, MAX_WORKGROUPS, output, uniform } from "./_dispatch.ts";
import type { GpuContext, Kernel, KernelSpec } from "./context.ts";
import { GpuOperationError } from "../errors.ts";
import type { DeviceMatrix } from "./cosine_topk.ts";

const TENSOR_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
const ACTIVATION_CODES: Record<Activation, number> = { linear: 0, relu: 1, tanh: 2, sigmoid: 3 };
const MATMUL_TILE = 64;
const REDUCE_THREADS = 256;

const SPECS = {
  matmul: {
    label: "matmul",
    code: MATMUL_WGSL,
    entryPoint: "matmul_main",
    bindings: [uniform(0), input(1), input(2), input(3), output(4)],
  },
  activationBackward: {
    label: "activation_backward",
    code: DENSE_BACKWARD_WGSL,
    entryPoint: "activation_backward",
    bindings: [uniform(0), input(1), input(2), output(3)],
  },
  columnSums: {
    label: "column_sums",
    code: DENSE_BACKWARD_WGSL,
    entryPoint: "column_sums",
    bindings: [uniform(0), input(1), input(2), output(3)],
  },
  mseGradient: {
    label: "mse_gradient",
    code: MSE_LOSS_WGSL,
    entryPoint: "mse_gradient",
    bindings: [uniform(0), input(1), input(2), output(3), output(4)],
  },
  accumulateSum: {
    label: "accumulate_sum",
    code: MSE_LOSS_WGSL,
    entryPoint: "accumulate_sum",
    bindings: [uniform(0), output(4), output(5)],
  },
  adam: {
    label: "adam",
    code: ADAM_WGSL,
    entryPoint: "adam_main",
    bindings: [uniform(0), input(1), output(2), output(3), output(4)],
  },
  gatherRows: {
    label: "gather_rows",
    code: GATHER_ROWS_WGSL,
    entryPoint: "gather_rows_main",
    bindings: [uniform(0), input(1), input(2), output(3)],
  },
} satisfies Record<string, KernelSpec>;

/** A fresh device matrix (from the pool); the caller owns and releases it. */
export function allocateMatrix(
  ctx: GpuContext,
  rows: number,
  cols: number,
  label: string,
): DeviceMatrix {
  return {
    buffer: ctx.acquireBuffer(rows * cols * 4, TENSOR_USAGE, `tensor:${label}`),
    rows,
    cols,
    label,
  };
}

function kernel(ctx: GpuContext, name: keyof typeof SPECS): Promise<Kernel> {
  return ctx.kernel(SPECS[name]);
}

/**
 * Records C = act(op(A) op(B) + bias) where op(A)[i, t] = a[i·aRow + t·aCol]
 * and op(B)[t, j] = b[t·bRow + j·bCol]; A is m × k, B is k × n.
 */
async function matmul(
  ctx: GpuContext,
  a: GPUBuffer,
  b: GPUBuffer,
  bias: GPUBuffer | null,
  out: GPUBuffer,
  shape: {
    m: number;
    n: number;
    k: number;
    aRow: number;
    aCol: number;
    bRow: number;
    bCol: number;
  },
  activation: Activation,
): Promise<void> {
  const { m, n, k } = shape;
  if (m === 0 || n === 0) return;
  const groups = [Math.ceil(n / MATMUL_TILE), Math.ceil(m / MATMUL_TILE)] as const;
  if (groups[0] > MAX_WORKGROUPS || groups[1] > MAX_WORKGROUPS) {
    throw new GpuOperationError("matmul", `${m} × ${n} output exceeds the dispatch grid`);
  }
  const params = new Uint32Array([
    m,
    n,
    k,
    shape.aRow,
    shape.aCol,
    shape.bRow,
    shape.bCol,
    ACTIVATION_CODES[activation],
    bias ? 1 : 0,
    0,
    0,
    0,
  ]);
  // Without a bias, binding 3 still needs a buffer; the shader never reads it.
  ctx.dispatch(
    "matmul",
    await kernel(ctx, "matmul"),
    { 1: a, 2: b, 3: bias ?? b, 4: out },
    groups,
    params,
  );
}

/** Y = act(X W + b), as a new device matrix. */
export async function gpuDenseForward(
  ctx: GpuContext,
  x: DeviceMatrix,
  w: DeviceMatrix,
  b: DeviceMatrix,
  activation: Activation,
): Promise<DeviceMatrix> {
  const y = allocateMatrix(ctx, x.rows, w.cols, "dense-output");
  await matmul(ctx, x.buffer, w.buffer, b.buffer, y.buffer, {
    m: x.rows,
    n: w.cols,
    k: x.cols,
    aRow: x.cols,
    aCol: 1,
    bRow: w.cols,
    bCol: 1,
  }, activation);
  return y;
}

/** dZ, then ∂L/∂W = Xᵀ dZ, ∂L/∂b = Σ dZ and optionally ∂L/∂X = dZ Wᵀ. */
export async function gpuDenseBackward(
  ctx: GpuContext,
  x: DeviceMatrix,
  w: DeviceMatrix,
  y: DeviceMatrix,
  dy: DeviceMatrix,
  activation: Activation,
  wantInputGradient: boolean,
): Promise<{ inputs: DeviceMatrix | null; weights: DeviceMatrix; bias: DeviceMatrix }> {
  const batch = x.rows, inputs = x.cols, outputs = w.cols;
  const [activationKernel, sumsKernel] = await Promise.all([
    kernel(ctx, "activationBackward"),
    kernel(ctx, "columnSums"),
  ]);
  let dz = dy;
  if (activation !== "linear") {
    dz = allocateMatrix(ctx, batch, outputs, "pre-activation-gradient");
    const grid = grid1d(batch * outputs, 64);
    ctx.dispatch(
      "denseBackward",
      activationKernel,
      { 1: dy.buffer, 2: y.buffer, 3: dz.buffer },
      grid,
      new Uint32Array([batch, outputs, ACTIVATION_CODES[activation], grid[0] * 64]),
    );
  }
  const dw = allocateMatrix(ctx, inputs, outputs, "weight-gradient");
  await matmul(ctx, x.buffer, dz.buffer, null, dw.buffer, {
    m: inputs,
    n: outputs,
    k: batch,
    aRow: 1,
    aCol: inputs,
    bRow: outputs,
    bCol: 1,
  }, "linear");
  const db = allocateMatrix(ctx, 1, outputs, "bias-gradient");
  const sumsGrid = grid1d(outputs, 64);
  ctx.dispatch(
    "denseBackward",
    sumsKernel,
    { 1: dz.buffer, 2: dz.buffer, 3: db.buffer },
    sumsGrid,
    new Uint32Array([batch, outputs, 0, sumsGrid[0] * 64]),
  );
  let dx: DeviceMatrix | null = null;
  if (wantInputGradient) {
    dx = allocateMatrix(ctx, batch, inputs, "input-gradient");
    await matmul(ctx, dz.buffer, w.buffer, null, dx.buffer, {
      m: batch,
      n: inputs,
      k: outputs,
      aRow: outputs,
      aCol: 1,
      bRow: 1,
      bCol: outputs,
    }, "linear");
  }
  if (dz !== dy) ctx.releaseBuffer(dz.buffer);
  return { inputs: dx, weights: dw, bias: db };
}

/** ∂L/∂p of the mean squared error, adding the loss into `total[0]` on the device. */
export async function gpuMseLoss(
  ctx: GpuContext,
  prediction: DeviceMatrix,
  expected: DeviceMatrix,
  total: DeviceMatrix,
): Promise<DeviceMatrix> {
  const count = prediction.rows * prediction.cols;
  const gradient = allocateMatrix(ctx, prediction.rows, prediction.cols, "mse-gradient");
  if (count === 0) return gradient;
  const grid = grid1d(count, REDUCE_THREADS);
  const partials = grid[0] * grid[1];
  const partialSums = ctx.acquireBuffer(
    partials * 4,
    BufferUsage.STORAGE | BufferUsage.COPY_DST,
    "mse-partials",
  );
  ctx.dispatch(
    "mseLoss",
    await kernel(ctx, "mseGradient"),
    {
      1: prediction.buffer,
      2: expected.buffer,
      3: gradient.buffer,
      4: partialSums,
    },
    grid,
    new Uint32Array([count, grid[0] * REDUCE_THREADS, partials, 0]),
  );
  await accumulateInto(ctx, "mseLoss", partialSums, partials, total);
  ctx.releaseBuffer(partialSums);
  return gradient;
}

/** Records `total[0] += Σ values[0 .. count)` with one workgroup. */
export async function accumulateInto(
  ctx: GpuContext,
  operation: string,
  values: GPUBuffer,
  count: number,
  total: DeviceMatrix,
): Promise<void> {
  ctx.dispatch(
    operation,
    await kernel(ctx, "accumulateSum"),
    { 4: values, 5: total.buffer },
    [1],
    new Uint32Array([0, 0, count, 0]),
  );
}

/**
 * Adam's uniform block: four u32 header words (sizes, stride), then the eight
 * f32 hyper-parameters shared by shaders/adam.wgsl and adam_rows in triplet.wgsl.
 */
export function adamUniforms(
  header: readonly number[],
  step: number,
  options: AdamOptions,
): Uint8Array {
  const c = adamConstants(step, options);
  const params = new ArrayBuffer(48);
  new Uint32Array(params, 0, 4).set(header);
  new Float32Array(params, 16, 8).set([
    c.learningRate,
    c.beta1,
    c.beta2,
    c.epsilon,
    c.correction1,
    c.correction2,
    c.weightDecay,
    0,
  ]);
  return new Uint8Array(params);
}

/** One Adam step in place on `parameter`. */
export async function gpuAdamStep(
  ctx: GpuContext,
  parameter: DeviceMatrix,
  gradient: DeviceMatrix,
  m: DeviceMatrix,
  v: DeviceMatrix,
  step: number,
  options: AdamOptions,
): Promise<void> {
  const count = parameter.rows * parameter.cols;
  if (count === 0) return;
  const grid = grid1d(count, 64);
  const params = adamUniforms([count, grid[0] * 64, 0, 0], step, options);

  ctx.dispatch(
    "adamStep",
    await kernel(ctx, "adam"),
    {
      1: gradient.buffer,
      2: parameter.buffer,
      3: m.buffer,
      4: v.buffer,
    },
    grid,
    params,
  );
}

/** Rows of `source` by index, as a new device matrix. */
export async function gpuGatherRows(
  ctx: GpuContext,
  source: DeviceMatrix,
  rows: Int32Array,
  label: string,
): Promise<DeviceMatrix> {
  const out = allocateMatrix(ctx, rows.length, source.cols, label);
  const count = rows.length * source.cols;
  if (count === 0) return out;
  const indices = ctx.acquireBuffer(
    rows.length * 4,
    BufferUsage.STORAGE | BufferUsage.COPY_DST,
    "gather-indices",
  );
  ctx.write(indices, new Uint32Array(rows.buffer, rows.byteOffset, rows.length));
  const grid = grid1d(count, 64);
  ctx.dispatch(
    "gatherRows",
    await kernel(ctx, "gatherRows"),
    { 1: source.buffer, 2: indices, 3: out.buffer },
    grid,
    new Uint32Array([rows.length, source.cols, grid[0] * 64, 0]),
  );
  ctx.releaseBuffer(indices);
  return out;
}
