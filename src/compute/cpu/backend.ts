/**
 * The CPU backend: TypeScript kernels on Float32Array. It defines what every
 * op computes; other backends are tested against it.
 *
 * @module
 */
import type { Backend, CosineTopKOptions, Matrix, Tensor, TopKResult } from "../backend.ts";
import { validateMatrix, validateTopK } from "../_validate.ts";
import { cosineTopKBlocked } from "./cosine_topk.ts";

/** A host-memory tensor. */
class CpuTensor implements Tensor {
  readonly backend = "cpu" as const;
  disposed = false;
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float32Array,
    readonly label: string,
  ) {}
}

/**
 * Runs every op in TypeScript on the calling thread.
 *
 * @example
 * ```ts
 * import { CpuBackend } from "./backend.ts";
 * const cpu = new CpuBackend();
 * const items = cpu.upload({ rows: 2, cols: 2, data: new Float32Array([1, 0, 0, 1]) });
 * const top = await cpu.cosineTopK(items, items, { k: 1 });
 * console.log([...top.indices]); // [0, 1]
 * ```
 */
export class CpuBackend implements Backend {
  /** Always `"cpu"`. */
  readonly name = "cpu" as const;
  /** Always `"TypeScript on the CPU"`. */
  readonly description = "TypeScript on the CPU";
  #destroyed = false;

  /**
   * Copies the matrix (the caller may reuse its array).
   *
   * @param matrix finite values
   * @param label a name for errors
   * @returns a CPU tensor
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const t = new CpuBackend().upload({ rows: 1, cols: 1, data: new Float32Array([1]) }, "one");
   * console.log(t.label); // "one"
   * ```
   */
  upload(matrix: Matrix, label = "tensor"): Tensor {
    this.#checkAlive();
    validateMatrix(matrix, label);
    return new CpuTensor(matrix.rows, matrix.cols, matrix.data.slice(), label);
  }

  /**
   * Returns a copy of the tensor's values.
   *
   * @param tensor a tensor of this backend
   * @returns the values
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const m = await cpu.download(cpu.upload({ rows: 1, cols: 2, data: new Float32Array([1, 2]) }));
   * console.log([...m.data]); // [1, 2]
   * ```
   */
  download(tensor: Tensor): Promise<Matrix> {
    const t = this.#own(tensor);
    return Promise.resolve({ rows: t.rows, cols: t.cols, data: t.data.slice() });
  }

  /**
   * Marks the tensor as released.
   *
   * @param tensor a tensor of this backend
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * cpu.dispose(cpu.upload({ rows: 0, cols: 0, data: new Float32Array() }));
   * ```
   */
  dispose(tensor: Tensor): void {
    this.#own(tensor).disposed = true;
  }

  /**
   * Cosine top-k with the 4 × 4 register-blocked kernel.
   *
   * @param queries m × d
   * @param items n × d
   * @param options k and exclusions
   * @returns indices and scores, best first
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const items = cpu.upload({ rows: 3, cols: 1, data: new Float32Array([1, -1, 2]) });
   * const top = await cpu.cosineTopK(items, items, { k: 3 });
   * console.log([...top.indices.slice(0, 3)]); // [0, 2, 1]
   * ```
   */
  cosineTopK(queries: Tensor, items: Tensor, options: CosineTopKOptions): Promise<TopKResult> {
    const q = this.#own(queries), x = this.#own(items);
    const k = validateTopK(q, x, options);
    return Promise.resolve(cosineTopKBlocked(q, x, k, options.exclude));
  }

  /**
   * Marks the backend as destroyed.
   *
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * new CpuBackend().destroy();
   * ```
   */
  destroy(): void {
    this.#destroyed = true;
  }

  #checkAlive(): void {
    if (this.#destroyed) throw new Error("the cpu backend was destroyed");
  }

  #own(tensor: Tensor): CpuTensor {
    this.#checkAlive();
    if (!(tensor instanceof CpuTensor)) {
      throw new TypeError(
        `tensor "${tensor.label}" belongs to the ${tensor.backend} backend, not cpu`,
      );
    }
    if (tensor.disposed) throw new Error(`tensor "${tensor.label}" was disposed`);
    return tensor;
  }
}
