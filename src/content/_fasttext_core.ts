/**
 * The slice of the fasttext.wasm (fastText 0.9.2 compiled with Emscripten and
 * embind) API that hwer uses, typed, plus instance creation. The package's own
 * typings cover detection only; training goes through the embind classes
 * `Args`, `ModelName`, `LossName` and `FastText.train`.
 *
 * @module
 */
import { FastText as FastTextWrapper } from "npm:fasttext.wasm@1.0.1";
import coreFactory from "npm:fasttext.wasm@1.0.1/dist/core/fasttext.mjs";

/** An embind enum value. */
export type EmbindEnum = { readonly value: number };

/** fastText's `Args` as bound by embind (only the fields hwer sets). */
export interface CoreArgs {
  input: string;
  output: string;
  lr: number;
  lrUpdateRate: number;
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  neg: number;
  wordNgrams: number;
  loss: EmbindEnum;
  model: EmbindEnum;
  bucket: number;
  minn: number;
  maxn: number;
  thread: number;
  t: number;
  verbose: number;
  seed: number;
  delete(): void;
}

/** fastText's `FastText` class as bound by embind. */
export interface CoreFastText {
  train(
    args: CoreArgs,
    callback: (progress: number, loss: number, wst: number, lr: number, eta: number) => void,
  ): void;
  loadModel(path: string): void;
  saveModel(path: string): void;
  getSentenceVector(out: { ptr: number; size: number }, text: string): void;
  getWordVector(out: { ptr: number; size: number }, word: string): void;
  readonly args: CoreArgs;
  delete(): void;
}

/** The Emscripten module with the embind classes. */
export interface CoreModule {
  readonly FS: {
    writeFile(path: string, data: string | Uint8Array): void;
    readFile(path: string): Uint8Array;
    unlink(path: string): void;
  };
  readonly HEAPF32: Float32Array;
  readonly Args: new () => CoreArgs;
  readonly FastText: new () => CoreFastText;
  readonly ModelName: { readonly cbow: EmbindEnum; readonly skipgram: EmbindEnum };
  readonly LossName: {
    readonly ns: EmbindEnum;
    readonly hs: EmbindEnum;
    readonly softmax: EmbindEnum;
  };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

let compiled: Promise<WebAssembly.Module | null> | undefined;

/**
 * The package's wasm, compiled once. A source-phase import lets the module
 * graph load it, so no `--allow-read` on the npm cache is needed; where the
 * runtime lacks `import.source`, null (the package then reads the file itself).
 */
function compiledWasm(): Promise<WebAssembly.Module | null> {
  return compiled ??= (async () => {
    try {
      // @ts-ignore: TypeScript does not parse source-phase imports yet; Deno runs them.
      return await import.source("npm:fasttext.wasm@1.0.1/dist/core/fasttext.wasm");
    } catch {
      return null;
    }
  })();
}

/**
 * A fresh wasm instance (its own memory and in-memory file system), so a
 * failed call cannot leave shared state behind. The wasm comes from the npm
 * package, never from a file next to this module.
 */
export async function createCore(): Promise<CoreModule> {
  const wasm = await compiledWasm();
  if (!wasm) return (await FastTextWrapper.create()).core as unknown as CoreModule;
  let fail: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => fail = reject);
  const core = coreFactory({
    print: () => {},
    printErr: () => {},
    instantiateWasm(
      imports: WebAssembly.Imports,
      done: (instance: WebAssembly.Instance) => void,
    ): Record<string, never> {
      WebAssembly.instantiate(wasm, imports).then(done, fail);
      return {};
    },
  }) as Promise<CoreModule>;
  return await Promise.race([core, failed]);
}

/**
 * Turns what fastText threw into an Error. C++ exceptions cross the wasm
 * boundary as bare numbers (pointers) with no message, so callers validate
 * their inputs first and this only says what was being done.
 */
export function coreError(doing: string, thrown: unknown): Error {
  if (thrown instanceof Error) {
    return new Error(`fastText failed while ${doing}: ${thrown.message}`, { cause: thrown });
  }
  return new Error(
    `fastText failed while ${doing} (a C++ exception, code ${String(thrown)}, without a message)`,
  );
}
