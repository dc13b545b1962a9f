/**
 * Text embeddings of entities. One document per entity is built from its text
 * columns plus tokens for its categories and year; then either a fastText
 * skipgram model is trained on those documents in WebAssembly (the
 * `fasttext.wasm` npm package, fastText 0.9.2) and each document's sentence
 * vector is taken, or pretrained word vectors are read from a `.vec` file and
 * averaged per document.
 *
 * **Documents.** Text is NFKC-normalised, lower-cased, apostrophes dropped and
 * split on anything that is not a letter or digit ("Children's" → `childrens`).
 * A category becomes one token `column:value` (value words joined by `_`, e.g.
 * `genres:sci_fi`, `occupation:engineer`), so a genre never collides with the
 * same word in a title. A year-like numeric column (default: numeric columns
 * whose name contains "year") gives `year:1995` and `year:1990s`. Id-like
 * categorical columns (more than 20 distinct values and more than half as many
 * as entities that have one, e.g. imdbId or zip) are skipped: a token seen once carries nothing.
 *
 * **Determinism.** Training runs on one thread (the wasm build has no threads;
 * fastText 0.9.2 trains in the calling thread when `thread` is 1) with
 * fastText's `seed`, so the same documents, options and seed give bit-identical
 * vectors. Training is synchronous: it blocks the event loop while it runs.
 *
 * @module
 */
import { DataFormatError } from "../data/types.ts";
import type { EntityTable, FeatureColumn, FeatureKind } from "../data/types.ts";
import { isIdLike, wordTokens } from "./_columns.ts";
import { coreError, type CoreFastText, type CoreModule, createCore } from "./_fasttext_core.ts";
import { type EntityFeatures, entityFeatures } from "./features.ts";

// ---------------------------------------------------------------- documents

/** How one column contributes tokens to an entity's document. */
export type DocumentRole = "words" | "categories" | "year";

/**
 * Which columns make an entity's document and how (JSON-serialisable, so a
 * saved model can build documents for new entities the same way).
 *
 * @example
 * ```ts
 * import type { DocumentPlan } from "./text.ts";
 * const plan: DocumentPlan = { columns: [{ name: "title", kind: "text", role: "words" }] };
 * console.log(plan.columns.length); // 1
 * ```
 */
export interface DocumentPlan {
  /** Columns in document order. */
  readonly columns: readonly {
    readonly name: string;
    readonly kind: FeatureKind;
    readonly role: DocumentRole;
  }[];
}

/**
 * Options of {@link planEntityDocuments}.
 *
 * @example
 * ```ts
 * import type { EntityDocumentOptions } from "./text.ts";
 * const options: EntityDocumentOptions = { columns: ["title", "genres"] };
 * console.log(options.columns?.length); // 2
 * ```
 */
export interface EntityDocumentOptions {
  /**
   * Columns to use, by name, in this order. Default: every text, categorical
   * (not id-like) and multi-categorical column, plus the year-like numeric ones.
   */
  readonly columns?: readonly string[];
  /** Numeric columns that become year tokens. Default: numeric columns whose name contains "year". */
  readonly yearColumns?: readonly string[];
}

/**
 * Decides which columns of a table make the entities' documents.
 *
 * @param table the entity table
 * @param options columns to use and which numeric ones are years
 * @returns the plan
 * @example
 * ```ts
 * import { planEntityDocuments } from "./text.ts";
 * const table = {
 *   ids: ["m1"],
 *   index: new Map([["m1", 0]]),
 *   columns: [
 *     { kind: "text" as const, name: "title", values: ["Heat"] },
 *     { kind: "numeric" as const, name: "year", values: Float64Array.of(1995) },
 *   ],
 * };
 * console.log(planEntityDocuments(table).columns.map((c) => c.role)); // ["words", "year"]
 * ```
 */
export function planEntityDocuments(
  table: EntityTable,
  options: EntityDocumentOptions = {},
): DocumentPlan {
  const find = (name: string): FeatureColumn => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) {
      throw new Error(
        `entity documents: no column "${name}" (columns: ${
          table.columns.map((c) => c.name).join(", ") || "none"
        })`,
      );
    }
    return column;
  };
  const years = new Set(
    options.yearColumns ??
      table.columns.filter((c) => c.kind === "numeric" && /year/i.test(c.name)).map((c) => c.name),
  );
  for (const name of years) {
    if (find(name).kind !== "numeric") {
      throw new Error(`entity documents: year column "${name}" is not numeric`);
    }
  }
  const chosen = options.columns
    ? options.columns.map(find)
    : table.columns.filter((c) =>
      c.kind === "text" || c.kind === "multiCategorical" ||
      (c.kind === "categorical" && !isIdLike(c)) || (c.kind === "numeric" && years.has(c.name))
    );
  return {
    columns: chosen.map((c) => {
      if (c.kind === "numeric" && !years.has(c.name)) {
        throw new Error(
          `entity documents: numeric column "${c.name}" can only be used as a year column`,
        );
      }
      const role: DocumentRole = c.kind === "text"
        ? "words"
        : c.kind === "numeric"
        ? "year"
        : "categories";
      return { name: c.name, kind: c.kind, role };
    }),
  };
}

/**
 * Builds one document (space-separated tokens) per entity of a table.
 *
 * @param table the entity table
 * @param plan which columns to use (default: {@link planEntityDocuments} of the table)
 * @returns one document per dense index
 * @example
 * ```ts
 * import { entityDocuments } from "./text.ts";
 * const table = {
 *   ids: ["m1"],
 *   index: new Map([["m1", 0]]),
 *   columns: [
 *     { kind: "text" as const, name: "title", values: ["Star Wars"] },
 *     { kind: "multiCategorical" as const, name: "genres", values: [["Sci-Fi"]], vocab: ["Sci-Fi"] },
 *     { kind: "numeric" as const, name: "year", values: Float64Array.of(1977) },
 *   ],
 * };
 * console.log(entityDocuments(table)[0]); // "star wars genres:sci_fi year:1977 year:1970s"
 * ```
 */
export function entityDocuments(table: EntityTable, plan?: DocumentPlan): string[] {
  const used = plan ?? planEntityDocuments(table);
  for (const spec of used.columns) {
    const column = table.columns.find((c) => c.name === spec.name);
    if (!column || column.kind !== spec.kind) {
      throw new Error(
        `entity documents: table has no ${spec.kind} column "${spec.name}" required by the plan`,
      );
    }
  }
  return table.ids.map((_, row) => entityDocument(entityFeatures(table, row), used));
}

/**
 * Builds the document of one entity given by its values, e.g. an item added
 * after training; absent columns contribute nothing.
 *
 * @param features the entity's values by column name
 * @param plan the plan the model was trained with
 * @returns space-separated tokens (may be empty)
 * @example
 * ```ts
 * import { entityDocument } from "./text.ts";
 * const plan = {
 *   columns: [
 *     { name: "title", kind: "text" as const, role: "words" as const },
 *     { name: "genres", kind: "multiCategorical" as const, role: "categories" as const },
 *   ],
 * };
 * console.log(entityDocument({ title: "Children's Hour", genres: ["Drama"] }, plan));
 * // "childrens hour genres:drama"
 * ```
 */
export function entityDocument(features: EntityFeatures, plan: DocumentPlan): string {
  const tokens: string[] = [];
  for (const { name, role } of plan.columns) {
    const value = features[name];
    if (value === null || value === undefined) continue;
    const prefix = wordTokens(name).join("_") || "column";
    if (role === "words") {
      tokens.push(...wordTokens(Array.isArray(value) ? value.join(" ") : String(value)));
    } else if (role === "categories") {
      const values: readonly unknown[] = Array.isArray(value) ? value : [value];
      for (const v of values) {
        const words = wordTokens(String(v));
        if (words.length > 0) tokens.push(`${prefix}:${words.join("_")}`);
      }
    } else {
      const year = typeof value === "number" ? value : Number(value);
      if (!Number.isFinite(year)) continue;
      const whole = Math.round(year);
      tokens.push(`${prefix}:${whole}`, `${prefix}:${Math.floor(whole / 10) * 10}s`);
    }
  }
  return tokens.join(" ");
}

// ---------------------------------------------------------------- fastText

/**
 * What training is doing, passed to `onProgress`. fasttext.wasm reports from
 * inside training every 64 lines (progress, average loss so far, words per
 * second, learning rate); "prepare" and "done" bracket it.
 *
 * @example
 * ```ts
 * import type { TextTrainingProgress } from "./text.ts";
 * const p: TextTrainingProgress = {
 *   phase: "train", epoch: 1, epochs: 5, progress: 0.1, loss: 2.3, learningRate: 0.045, wordsPerSecond: 1e5,
 * };
 * console.log(p.phase); // "train"
 * ```
 */
export interface TextTrainingProgress {
  /** "prepare": corpus written and checked; "train": inside fastText; "done": finished. */
  readonly phase: "prepare" | "train" | "done";
  /** 1-based epoch under way (fastText's progress × epochs, rounded up). */
  readonly epoch: number;
  /** Total epochs. */
  readonly epochs: number;
  /** Fraction of all training done, 0..1. */
  readonly progress: number;
  /** fastText's average loss so far (NaN until its first update). */
  readonly loss: number;
  /** Current learning rate (linearly decayed by fastText). */
  readonly learningRate: number;
  /** Words per second, as fastText measures it. */
  readonly wordsPerSecond: number;
}

/**
 * fastText skipgram options; defaults in brackets.
 *
 * @example
 * ```ts
 * import type { FastTextOptions } from "./text.ts";
 * const options: FastTextOptions = { dims: 32, epochs: 5, seed: 7 };
 * console.log(options.dims); // 32
 * ```
 */
export interface FastTextOptions {
  /** Vector size [64]. */
  readonly dims?: number;
  /** Passes over the documents [20]. */
  readonly epochs?: number;
  /** Shortest character n-gram [3]; 0 with maxn 0 turns subwords off. */
  readonly minn?: number;
  /** Longest character n-gram [6]. */
  readonly maxn?: number;
  /** Words seen fewer times are dropped [1]. */
  readonly minCount?: number;
  /** Initial learning rate [0.05]. */
  readonly lr?: number;
  /** Context window size [10]: fastText's 5, doubled so a short entity document is one context. */
  readonly windowSize?: number;
  /** Negative samples per positive [5]. */
  readonly negatives?: number;
  /** Hash buckets for character n-grams [100000]; fastText's 2M would need 0.5 GB at 64 dims. */
  readonly buckets?: number;
  /**
   * Sub-sampling threshold of frequent words [1e-2]. fastText's 1e-4 suits
   * billion-word corpora; on entity documents (~20k tokens for ML-100k) it drops
   * nearly every occurrence of any word seen more than twice, and the vectors
   * barely train.
   */
  readonly sampling?: number;
  /** fastText's seed [42]. */
  readonly seed?: number;
  /** Called during training; see {@link TextTrainingProgress}. */
  readonly onProgress?: (progress: TextTrainingProgress) => void;
}

const MODEL_MAGIC = 793712314;
const MODEL_VERSION = 12;
const MODEL_PATH = "/hwer_model.bin";
const CORPUS_PATH = "/hwer_corpus.txt";

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`fastText option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * A trained or loaded fastText model in its own wasm instance: sentence and
 * word vectors, and its bytes in fastText's `.bin` format.
 *
 * @example
 * ```ts ignore
 * import { FastTextModel } from "./text.ts";
 * const model = await FastTextModel.train(["star wars", "return of the jedi"], { dims: 8, epochs: 5 });
 * console.log(model.sentenceVector("star wars").length); // 8
 * await model.save("/tmp/model.bin");
 * const again = await FastTextModel.load("/tmp/model.bin");
 * console.log(again.dims); // 8
 * ```
 */
export class FastTextModel {
  #core: CoreModule | null;
  #model: CoreFastText | null;
  #buffer: number;
  /** Vector size. */
  readonly dims: number;

  private constructor(core: CoreModule, model: CoreFastText, dims: number) {
    this.#core = core;
    this.#model = model;
    this.dims = dims;
    this.#buffer = core._malloc(dims * 4);
  }

  /**
   * Trains a skipgram model with negative sampling on documents, one per line
   * (each document's whitespace-separated tokens are fastText's words).
   *
   * @param documents the corpus; documents must not contain line breaks
   * @param options see {@link FastTextOptions}
   * @returns the trained model
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.train(["a b c", "b c d"], { dims: 8, epochs: 2, seed: 1 });
   * console.log(model.dims); // 8
   * ```
   */
  static async train(
    documents: readonly string[],
    options: FastTextOptions = {},
  ): Promise<FastTextModel> {
    const dims = positiveInteger("dims", options.dims ?? 64);
    const epochs = positiveInteger("epochs", options.epochs ?? 20);
    const minCount = positiveInteger("minCount", options.minCount ?? 1);
    const windowSize = positiveInteger("windowSize", options.windowSize ?? 10);
    const negatives = positiveInteger("negatives", options.negatives ?? 5);
    const minn = options.minn ?? 3;
    const maxn = options.maxn ?? 6;
    if (!Number.isInteger(minn) || !Number.isInteger(maxn) || minn < 0 || maxn < minn) {
      throw new RangeError(`fastText options need integers 0 ≤ minn ≤ maxn, got ${minn}, ${maxn}`);
    }
    const buckets = options.buckets ?? 100_000;
    if (!Number.isInteger(buckets) || buckets < 0 || (maxn > 0 && buckets < 1)) {
      throw new RangeError(`fastText option buckets must be a positive integer, got ${buckets}`);
    }
    const lr = options.lr ?? 0.05;
    if (!(lr > 0) || !Number.isFinite(lr)) {
      throw new RangeError(`fastText option lr must be a positive number, got ${lr}`);
    }
    const sampling = options.sampling ?? 1e-2;
    if (!(sampling > 0) || !Number.isFinite(sampling)) {
      throw new RangeError(`fastText option sampling must be a positive number, got ${sampling}`);
    }
    const seed = options.seed ?? 42;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0x7fffffff) {
      throw new RangeError(`fastText option seed must be an integer in 0..2³¹−1, got ${seed}`);
    }
    // fastText throws bare numbers on bad input; check what it would reject first.
    const counts = new Map<string, number>();
    documents.forEach((doc, i) => {
      if (typeof doc !== "string") {
        throw new TypeError(`fastText corpus: document ${i} is not a string: ${doc}`);
      }
      if (/[\n\r]/.test(doc)) {
        throw new Error(
          `fastText corpus: document ${i} contains a line break: ${JSON.stringify(doc)}`,
        );
      }
      for (const word of doc.split(/\s+/)) if (word) counts.set(word, (counts.get(word) ?? 0) + 1);
    });
    let kept = 0;
    for (const count of counts.values()) if (count >= minCount) kept++;
    if (kept === 0) {
      throw new Error(
        `fastText corpus: no word occurs at least minCount=${minCount} times in ${documents.length} documents`,
      );
    }
    const report = options.onProgress;
    const core = await createCore();
    core.FS.writeFile(CORPUS_PATH, documents.join("\n") + "\n");
    report?.({
      phase: "prepare",
      epoch: 0,
      epochs,
      progress: 0,
      loss: NaN,
      learningRate: lr,
      wordsPerSecond: 0,
    });
    const args = new core.Args();
    Object.assign(args, {
      input: CORPUS_PATH,
      output: "/hwer_unused",
      model: core.ModelName.skipgram,
      loss: core.LossName.ns,
      dim: dims,
      epoch: epochs,
      minCount,
      ws: windowSize,
      neg: negatives,
      minn,
      maxn,
      bucket: buckets,
      lr,
      t: sampling,
      wordNgrams: 1,
      thread: 1,
      seed,
      verbose: 2, // fastText only updates the loss it reports when verbose > 1; output is muted
    });
    const model = new core.FastText();
    let lastLoss = NaN;
    let lastReported = -1;
    try {
      model.train(args, (progress, loss, wst, learningRate) => {
        if (loss >= 0) lastLoss = loss;
        if (!report || progress - lastReported < 0.01) return;
        lastReported = progress;
        report({
          phase: "train",
          epoch: Math.min(epochs, Math.floor(progress * epochs) + 1),
          epochs,
          progress,
          loss: loss >= 0 ? loss : NaN,
          learningRate,
          wordsPerSecond: wst,
        });
      });
    } catch (thrown) {
      model.delete();
      throw coreError(`training on ${documents.length} documents`, thrown);
    } finally {
      args.delete();
      core.FS.unlink(CORPUS_PATH);
    }
    report?.({
      phase: "done",
      epoch: epochs,
      epochs,
      progress: 1,
      loss: lastLoss,
      learningRate: 0,
      wordsPerSecond: 0,
    });
    return new FastTextModel(core, model, dims);
  }

  /**
   * Loads a model from fastText `.bin` bytes (as {@link FastTextModel.toBytes}
   * or fastText's own `save_model` writes them).
   *
   * @param bytes the model file's content
   * @param source a name for error messages (file path)
   * @returns the model
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.train(["a b", "b c"], { dims: 4, epochs: 1 });
   * const copy = await FastTextModel.fromBytes(model.toBytes());
   * console.log(copy.dims); // 4
   * ```
   */
  static async fromBytes(bytes: Uint8Array, source = "<bytes>"): Promise<FastTextModel> {
    const dims = checkModelLayout(bytes, source);
    const core = await createCore();
    const model = new core.FastText();
    core.FS.writeFile(MODEL_PATH, bytes);
    try {
      model.loadModel(MODEL_PATH);
    } catch (thrown) {
      model.delete();
      throw coreError(`loading the model ${source} (truncated or corrupt?)`, thrown);
    } finally {
      core.FS.unlink(MODEL_PATH);
    }
    return new FastTextModel(core, model, dims);
  }

  /**
   * Reads a model file written by {@link FastTextModel.save} (or fastText).
   *
   * @param path the `.bin` file
   * @returns the model
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.load("items.fasttext.bin");
   * console.log(model.dims);
   * ```
   */
  static async load(path: string | URL): Promise<FastTextModel> {
    const bytes = await Deno.readFile(path);
    return await FastTextModel.fromBytes(bytes, String(path));
  }

  #live(): CoreFastText {
    if (!this.#model) throw new Error("FastTextModel was disposed");
    return this.#model;
  }

  /**
   * The sentence vector of a document: fastText's mean of its words' unit-norm
   * vectors (words are whitespace-separated; unknown words use their character
   * n-grams; an empty document gives zeros).
   *
   * @param document the text (no line breaks)
   * @param out optional array of length `dims` to fill
   * @returns the vector
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.train(["a b", "b c"], { dims: 4, epochs: 1 });
   * console.log(model.sentenceVector("a c").length); // 4
   * ```
   */
  sentenceVector(document: string, out?: Float32Array): Float32Array {
    if (/[\n\r]/.test(document)) {
      throw new Error(
        `sentenceVector: the document contains a line break: ${JSON.stringify(document)}`,
      );
    }
    const model = this.#live();
    model.getSentenceVector({ ptr: this.#buffer, size: this.dims }, document + "\n");
    return this.#copyOut(out);
  }

  /**
   * Sentence vectors of many documents as one row-major matrix.
   *
   * @param documents one document per row
   * @returns `documents.length × dims` values
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.train(["a b", "b c"], { dims: 4, epochs: 1 });
   * console.log(model.sentenceVectors(["a", "b", "c"]).length); // 12
   * ```
   */
  sentenceVectors(documents: readonly string[]): Float32Array {
    const out = new Float32Array(documents.length * this.dims);
    documents.forEach((doc, i) => {
      this.sentenceVector(doc, out.subarray(i * this.dims, (i + 1) * this.dims));
    });
    return out;
  }

  /**
   * The vector of one word (from its character n-grams when it is unknown).
   *
   * @param word a single token
   * @returns the vector
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.train(["a b", "b c"], { dims: 4, epochs: 1 });
   * console.log(model.wordVector("b").length); // 4
   * ```
   */
  wordVector(word: string): Float32Array {
    const model = this.#live();
    model.getWordVector({ ptr: this.#buffer, size: this.dims }, word);
    return this.#copyOut();
  }

  #copyOut(out?: Float32Array): Float32Array {
    // Read HEAPF32 anew each time: wasm memory may have grown and replaced it.
    const start = this.#buffer >> 2;
    const view = this.#core!.HEAPF32.subarray(start, start + this.dims);
    if (!out) return view.slice();
    if (out.length !== this.dims) {
      throw new RangeError(`out has length ${out.length}, expected ${this.dims}`);
    }
    out.set(view);
    return out;
  }

  /**
   * The model in fastText's `.bin` format (input and output matrices: about
   * `(words + buckets) · dims · 4` bytes plus `words · dims · 4`).
   *
   * @returns the bytes
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.train(["a b", "b c"], { dims: 4, epochs: 1, buckets: 10 });
   * console.log(model.toBytes().length > 0); // true
   * ```
   */
  toBytes(): Uint8Array {
    const model = this.#live();
    try {
      model.saveModel(MODEL_PATH);
    } catch (thrown) {
      throw coreError("saving the model", thrown);
    }
    const bytes = this.#core!.FS.readFile(MODEL_PATH).slice();
    this.#core!.FS.unlink(MODEL_PATH);
    return bytes;
  }

  /**
   * Writes the model to a file atomically: a temporary file in the same folder,
   * then a rename, so a crash never leaves half a model under `path`.
   *
   * @param path the destination `.bin` file
   * @returns when the file is in place
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.train(["a b", "b c"], { dims: 4, epochs: 1 });
   * await model.save("/tmp/model.bin");
   * ```
   */
  async save(path: string): Promise<void> {
    await writeFileAtomic(path, this.toBytes());
  }

  /**
   * Frees the model's wasm objects and lets its wasm memory be collected;
   * later calls throw.
   *
   * @example
   * ```ts ignore
   * import { FastTextModel } from "./text.ts";
   * const model = await FastTextModel.train(["a b", "b c"], { dims: 4, epochs: 1 });
   * model.dispose();
   * ```
   */
  dispose(): void {
    if (!this.#model) return;
    this.#core!._free(this.#buffer);
    this.#model.delete();
    this.#model = null;
    this.#core = null; // lets the wasm memory be collected
  }
}

/**
 * Walks a fastText `.bin` (header, args, dictionary, matrices) and returns its
 * dimension. fastText's own loader does not notice a truncated file (it loads
 * zeros), so the sizes are checked here: the file must end exactly where the
 * output matrix does.
 */
function checkModelLayout(bytes: Uint8Array, source: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number, what: string) => {
    if (at + n > bytes.length) {
      throw new DataFormatError(
        `truncated fastText model: ${what} needs ${n} bytes at offset ${at}, the file has ${bytes.length}`,
        source,
        0,
        what,
      );
    }
  };
  const int32 = (what: string) => {
    need(4, what);
    at += 4;
    return view.getInt32(at - 4, true);
  };
  const int64 = (what: string) => {
    need(8, what);
    at += 8;
    return Number(view.getBigInt64(at - 8, true));
  };
  const magic = int32("magic number");
  if (magic !== MODEL_MAGIC) {
    throw new DataFormatError(
      `not a fastText model: magic number ${magic}, expected ${MODEL_MAGIC}`,
      source,
      0,
      String(magic),
    );
  }
  const version = int32("version");
  if (version !== MODEL_VERSION) {
    throw new DataFormatError(
      `fastText model version ${version}; only version ${MODEL_VERSION} (fastText 0.9) is read`,
      source,
      0,
      String(version),
    );
  }
  const dims = int32("dim");
  if (dims < 1) {
    throw new DataFormatError(`fastText model has dimension ${dims}`, source, 0, String(dims));
  }
  need(44 + 8, "args");
  at += 44 + 8; // ws … lrUpdateRate (11 × int32) and t (double)
  const size = int32("dictionary size");
  int32("word count");
  int32("label count");
  int64("token count");
  const pruned = int64("pruned index size");
  if (size < 0 || pruned < -1) {
    throw new DataFormatError(`corrupt fastText dictionary header`, source, 0, `${size} ${pruned}`);
  }
  for (let i = 0; i < size; i++) {
    const end = bytes.indexOf(0, at);
    if (end < 0) need(bytes.length - at + 1, `word ${i}`);
    at = end + 1;
    need(9, `count and type of word ${i}`);
    at += 9;
  }
  if (pruned > 0) {
    need(8 * pruned, "pruned index");
    at += 8 * pruned;
  }
  for (const matrix of ["input", "output"]) {
    need(1, `${matrix} quantisation flag`);
    const quantised = bytes[at++] !== 0;
    if (quantised) return dims; // quantised (.ftz) layouts are not walked
    const rows = int64(`${matrix} matrix rows`);
    const cols = int64(`${matrix} matrix columns`);
    if (rows < 0 || cols !== dims) {
      throw new DataFormatError(
        `corrupt fastText ${matrix} matrix: ${rows} × ${cols}, dimension ${dims}`,
        source,
        0,
        `${rows} × ${cols}`,
      );
    }
    need(rows * cols * 4, `${matrix} matrix data`);
    at += rows * cols * 4;
  }
  if (at !== bytes.length) {
    throw new DataFormatError(
      `fastText model has ${bytes.length - at} bytes after its output matrix`,
      source,
      0,
      String(bytes.length - at),
    );
  }
  return dims;
}

async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    await Deno.writeFile(temp, bytes);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/**
 * Options of {@link trainTextEmbeddings}: fastText's, the document columns, and
 * whether to centre the vectors.
 *
 * @example
 * ```ts
 * import type { TextEmbeddingOptions } from "./text.ts";
 * const options: TextEmbeddingOptions = { dims: 32, epochs: 5, columns: ["title"], center: false };
 * console.log(options.center); // false
 * ```
 */
export interface TextEmbeddingOptions extends FastTextOptions, EntityDocumentOptions {
  /**
   * Subtract the mean sentence vector of the fitted entities from every vector
   * [true]. Skipgram sentence vectors of short documents share one large common
   * direction (on ML-100k titles + genres + years every raw cosine is above 0.9),
   * which squeezes cosine similarities together; centring removes it.
   */
  readonly center?: boolean;
}

/**
 * JSON form of a {@link TextEmbedder} without the fastText model, which is
 * saved separately as bytes ({@link FastTextModel.toBytes}).
 *
 * @example
 * ```ts
 * import type { TextEmbedderJson } from "./text.ts";
 * const json: TextEmbedderJson = {
 *   format: "hwer.textEmbedder", version: 1, dims: 2, plan: { columns: [] }, mean: [0, 0],
 * };
 * console.log(json.dims); // 2
 * ```
 */
export interface TextEmbedderJson {
  /** Always "hwer.textEmbedder". */
  readonly format: "hwer.textEmbedder";
  /** Format version, 1. */
  readonly version: 1;
  /** Vector size. */
  readonly dims: number;
  /** Which columns make an entity's document. */
  readonly plan: DocumentPlan;
  /** The mean subtracted from every vector, or null when not centred. */
  readonly mean: readonly number[] | null;
}

/**
 * Embeds entities as text: builds each entity's document with a
 * {@link DocumentPlan}, takes the fastText sentence vector and subtracts the
 * fitted mean. Works the same on the fitted table, another table with the same
 * columns, or one new entity.
 *
 * @example
 * ```ts ignore
 * import { trainTextEmbeddings } from "./text.ts";
 * import { loadMovieLens100k } from "../data/mod.ts";
 * const ds = await loadMovieLens100k("ml-100k");
 * const { embedder } = await trainTextEmbeddings(ds.items, { dims: 32, epochs: 5 });
 * const v = embedder.embed({ title: "Star Trek", genres: ["Sci-Fi"], year: 1979 });
 * console.log(v.length); // 32
 * ```
 */
export class TextEmbedder {
  /** The fastText model. */
  readonly model: FastTextModel;
  /** Which columns make an entity's document. */
  readonly plan: DocumentPlan;
  /** Subtracted from every sentence vector, or null. */
  readonly mean: Float32Array | null;

  /**
   * Wraps a model, a plan and an optional mean.
   *
   * @param model the fastText model
   * @param plan which columns make an entity's document
   * @param mean subtracted from every sentence vector (length `model.dims`), or null
   */
  constructor(model: FastTextModel, plan: DocumentPlan, mean: Float32Array | null) {
    if (mean && mean.length !== model.dims) {
      throw new RangeError(`mean has length ${mean.length}, the model has ${model.dims} dims`);
    }
    this.model = model;
    this.plan = plan;
    this.mean = mean;
  }

  /** Vector size. */
  get dims(): number {
    return this.model.dims;
  }

  /**
   * Vectors of every entity of a table that has the plan's columns.
   *
   * @param table the entities
   * @returns row-major `rows × dims` vectors by dense index
   * @example
   * ```ts ignore
   * const vectors = embedder.embedTable(ds.items);
   * ```
   */
  embedTable(table: EntityTable): Float32Array {
    return this.embedDocuments(entityDocuments(table, this.plan));
  }

  /**
   * Vectors of ready-made documents (as {@link entityDocuments} builds them).
   *
   * @param documents one document per row
   * @returns row-major `documents.length × dims` vectors
   * @example
   * ```ts ignore
   * const vectors = embedder.embedDocuments(["star wars genres:sci_fi"]);
   * ```
   */
  embedDocuments(documents: readonly string[]): Float32Array {
    const vectors = this.model.sentenceVectors(documents);
    if (this.mean) {
      const dims = this.dims;
      for (let i = 0; i < vectors.length; i++) vectors[i] -= this.mean[i % dims];
    }
    return vectors;
  }

  /**
   * The vector of one entity given by its values (e.g. a cold-start item).
   *
   * @param features the entity's values by column name
   * @returns its `dims` vector
   * @example
   * ```ts ignore
   * const v = embedder.embed({ title: "Heat", genres: ["Crime"], year: 1995 });
   * ```
   */
  embed(features: EntityFeatures): Float32Array {
    return this.embedDocuments([entityDocument(features, this.plan)]);
  }

  /**
   * The JSON form (plan and mean; save {@link FastTextModel.toBytes} beside it).
   *
   * @returns plain data for a manifest
   * @example
   * ```ts ignore
   * const json = JSON.stringify(embedder);
   * ```
   */
  toJSON(): TextEmbedderJson {
    return {
      format: "hwer.textEmbedder",
      version: 1,
      dims: this.dims,
      plan: this.plan,
      mean: this.mean ? Array.from(this.mean) : null,
    };
  }

  /**
   * Rebuilds an embedder from its JSON and its model.
   *
   * @param json {@link TextEmbedder.toJSON} output, parsed
   * @param model the fastText model saved with it
   * @returns the embedder, embedding exactly as the one saved
   * @example
   * ```ts ignore
   * const again = TextEmbedder.fromJSON(JSON.parse(text), await FastTextModel.load("text.bin"));
   * ```
   */
  static fromJSON(json: unknown, model: FastTextModel): TextEmbedder {
    const obj = json as Partial<TextEmbedderJson> | null;
    const fail = (problem: string): never => {
      throw new Error(`text embedder JSON: ${problem}`);
    };
    if (typeof obj !== "object" || obj === null) fail("expected an object");
    if (obj!.format !== "hwer.textEmbedder") fail(`format is ${JSON.stringify(obj!.format)}`);
    if (obj!.version !== 1) fail(`version is ${JSON.stringify(obj!.version)}, expected 1`);
    if (obj!.dims !== model.dims) fail(`dims ${obj!.dims} differ from the model's ${model.dims}`);
    const columns = obj!.plan?.columns;
    if (!Array.isArray(columns)) fail("plan.columns is not an array");
    for (const [i, c] of columns!.entries()) {
      if (
        typeof c?.name !== "string" ||
        !["text", "categorical", "multiCategorical", "numeric"].includes(c.kind) ||
        !["words", "categories", "year"].includes(c.role)
      ) fail(`plan.columns[${i}] is not {name, kind, role}: ${JSON.stringify(c)}`);
    }
    const mean = obj!.mean;
    if (mean !== null && (!Array.isArray(mean) || mean.some((v) => !Number.isFinite(v)))) {
      fail("mean is neither null nor a list of numbers");
    }
    return new TextEmbedder(model, obj!.plan!, mean ? Float32Array.from(mean) : null);
  }
}

/**
 * What {@link trainTextEmbeddings} returns.
 *
 * @example
 * ```ts ignore
 * import { trainTextEmbeddings } from "./text.ts";
 * import type { TextEmbeddings } from "./text.ts";
 * import { loadMovieLens100k } from "../data/mod.ts";
 * const ds = await loadMovieLens100k("ml-100k");
 * const text: TextEmbeddings = await trainTextEmbeddings(ds.items, { dims: 32, epochs: 5 });
 * console.log(text.rows === ds.items.ids.length); // true
 * ```
 */
export interface TextEmbeddings {
  /** Embeds this table's entities and new ones the same way. */
  readonly embedder: TextEmbedder;
  /** The document of each entity. */
  readonly documents: readonly string[];
  /** Number of entities. */
  readonly rows: number;
  /** Vector size. */
  readonly dims: number;
  /** Row-major `rows × dims` vectors (centred unless `center: false`), by dense index. */
  readonly vectors: Float32Array;
}

/**
 * Builds the entities' documents, trains fastText on them and returns every
 * entity's (centred) sentence vector with the embedder that made them.
 *
 * @param table the entities (items or users)
 * @param options fastText options, document columns, centring
 * @returns embedder, documents and vectors
 * @example
 * ```ts ignore
 * import { trainTextEmbeddings } from "./text.ts";
 * import { loadMovieLens100k } from "../data/mod.ts";
 * const ds = await loadMovieLens100k("ml-100k");
 * const { vectors, dims } = await trainTextEmbeddings(ds.items, { dims: 32, epochs: 5, seed: 1 });
 * console.log(vectors.length / dims); // 1682
 * ```
 */
export async function trainTextEmbeddings(
  table: EntityTable,
  options: TextEmbeddingOptions = {},
): Promise<TextEmbeddings> {
  const plan = planEntityDocuments(table, options);
  if (plan.columns.length === 0) {
    throw new Error("text embeddings: the table has no column to build documents from");
  }
  const documents = entityDocuments(table, plan);
  const model = await FastTextModel.train(documents, options);
  const vectors = model.sentenceVectors(documents);
  const rows = documents.length;
  const dims = model.dims;
  let mean: Float32Array | null = null;
  if (options.center ?? true) {
    const sum = new Float64Array(dims);
    for (let i = 0; i < vectors.length; i++) sum[i % dims] += vectors[i];
    mean = Float32Array.from(sum, (v) => v / Math.max(1, rows));
    for (let i = 0; i < vectors.length; i++) vectors[i] -= mean[i % dims];
  }
  return { embedder: new TextEmbedder(model, plan, mean), documents, rows, dims, vectors };
}

// ---------------------------------------------------------------- .vec files

/**
 * Word vectors read from a `.vec` file (word2vec text format).
 *
 * @example
 * ```ts
 * import { parseWordVectors } from "./text.ts";
 * const vectors = parseWordVectors("2 2\nstar 1 0\nwars 0 1\n", "tiny.vec");
 * console.log(vectors.words, vectors.dims); // ["star", "wars"] 2
 * ```
 */
export interface WordVectors {
  /** Words in file order (a repeated word keeps its first vector). */
  readonly words: readonly string[];
  /** Word → row. */
  readonly index: ReadonlyMap<string, number>;
  /** Vector size. */
  readonly dims: number;
  /** Row-major `words.length × dims` values. */
  readonly data: Float32Array;
}

/**
 * Options of {@link parseWordVectors} and {@link loadWordVectors}.
 *
 * @example
 * ```ts
 * import type { WordVectorOptions } from "./text.ts";
 * const options: WordVectorOptions = { maxWords: 50_000 };
 * console.log(options.maxWords); // 50000
 * ```
 */
export interface WordVectorOptions {
  /** Read only the first this many vectors (files list frequent words first). */
  readonly maxWords?: number;
}

/** Incremental `.vec` reader: feed lines, then finish. */
class VecParser {
  #file: string;
  #maxWords: number;
  #line = 0;
  #count = -1;
  #dims = 0;
  #vectorLines = 0;
  #rows = 0;
  #data = new Float32Array(0);
  #words: string[] = [];
  #index = new Map<string, number>();

  constructor(file: string, maxWords: number) {
    this.#file = file;
    this.#maxWords = maxWords;
  }

  /** Reads one line; returns false once `maxWords` vectors are in (the rest may be skipped). */
  line(text: string): boolean {
    this.#line++;
    const trimmed = text.trim();
    if (trimmed === "") return true;
    if (this.#count < 0) {
      this.#header(trimmed);
      return true;
    }
    if (this.#vectorLines >= this.#count) {
      throw new DataFormatError(
        `more vectors than the header's ${this.#count}`,
        this.#file,
        this.#line,
        text,
      );
    }
    if (this.#vectorLines >= this.#maxWords) return false;
    const fields = trimmed.split(/[ \t]+/);
    if (fields.length !== this.#dims + 1) {
      throw new DataFormatError(
        `expected a word and ${this.#dims} numbers, found ${fields.length} fields`,
        this.#file,
        this.#line,
        text,
      );
    }
    this.#vectorLines++;
    const row = this.#rows;
    for (let d = 0; d < this.#dims; d++) {
      const value = Number(fields[d + 1]);
      if (!Number.isFinite(value)) {
        throw new DataFormatError(
          `component ${d + 1} of "${fields[0]}" is not a finite number`,
          this.#file,
          this.#line,
          fields[d + 1],
        );
      }
      this.#data[row * this.#dims + d] = value;
    }
    if (!this.#index.has(fields[0])) { // a repeated word keeps its first vector
      this.#index.set(fields[0], row);
      this.#words.push(fields[0]);
      this.#rows++;
    }
    return this.#vectorLines < this.#maxWords;
  }

  #header(text: string): void {
    const fields = text.split(/\s+/);
    const [count, dims] = fields.map(Number);
    if (
      fields.length !== 2 || !Number.isInteger(count) || !Number.isInteger(dims) || count < 0 ||
      dims < 1
    ) {
      throw new DataFormatError(
        'the header must be "<count> <dims>" (two integers, dims ≥ 1)',
        this.#file,
        this.#line,
        text,
      );
    }
    const rows = Math.min(count, this.#maxWords);
    if (rows * dims > 2 ** 31) {
      throw new DataFormatError(
        `${rows} × ${dims} values do not fit in memory; pass maxWords`,
        this.#file,
        this.#line,
        text,
      );
    }
    this.#count = count;
    this.#dims = dims;
    this.#data = new Float32Array(rows * dims);
  }

  finish(): WordVectors {
    if (this.#count < 0) {
      throw new DataFormatError("empty file: no header", this.#file, 0, "");
    }
    const expected = Math.min(this.#count, this.#maxWords);
    if (this.#vectorLines < expected) {
      throw new DataFormatError(
        `the header promises ${this.#count} vectors, the file ends after ${this.#vectorLines}`,
        this.#file,
        this.#line,
        "",
      );
    }
    return {
      words: this.#words,
      index: this.#index,
      dims: this.#dims,
      data: this.#data.slice(0, this.#rows * this.#dims),
    };
  }
}

/**
 * Parses word vectors in word2vec text format: a header `"<count> <dims>"`,
 * then one line per word, `word v1 … vd`, separated by spaces or tabs.
 * Malformed input throws {@link DataFormatError} naming the file, line and value.
 *
 * @param text the file's content
 * @param file a name for error messages
 * @param options e.g. `maxWords`
 * @returns the vectors
 * @example
 * ```ts
 * import { parseWordVectors } from "./text.ts";
 * const v = parseWordVectors("1 3\njedi 0.5 -1 2\n", "jedi.vec");
 * console.log(Array.from(v.data)); // [0.5, -1, 2]
 * ```
 */
export function parseWordVectors(
  text: string,
  file = "<text>",
  options: WordVectorOptions = {},
): WordVectors {
  const parser = new VecParser(file, maxWordsOf(options));
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    if (!parser.line(text.slice(start, end))) break;
    start = end + 1;
  }
  return parser.finish();
}

function maxWordsOf(options: WordVectorOptions): number {
  const maxWords = options.maxWords ?? Infinity;
  if (!(maxWords >= 1)) throw new RangeError(`maxWords must be ≥ 1, got ${maxWords}`);
  return maxWords;
}

/**
 * Reads a `.vec` file (UTF-8, word2vec text format) line by line, so files
 * larger than a string can hold are fine; see {@link parseWordVectors}.
 *
 * @param path the file
 * @param options e.g. `maxWords` to read only the most frequent words
 * @returns the vectors
 * @example
 * ```ts ignore
 * import { loadWordVectors } from "./text.ts";
 * const vectors = await loadWordVectors("wiki-news-300d-1M.vec", { maxWords: 100_000 });
 * console.log(vectors.dims); // 300
 * ```
 */
export async function loadWordVectors(
  path: string | URL,
  options: WordVectorOptions = {},
): Promise<WordVectors> {
  const parser = new VecParser(String(path), maxWordsOf(options));
  using file = await Deno.open(path);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let pending = "";
  let more = true;
  const buffer = new Uint8Array(1 << 20);
  while (more) {
    const read = await file.read(buffer);
    if (read === null) break;
    pending += decoder.decode(buffer.subarray(0, read), { stream: true });
    let start = 0;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n", start)) {
      more = parser.line(pending.slice(start, end));
      start = end + 1;
      if (!more) break;
    }
    pending = pending.slice(start);
  }
  if (more) parser.line(pending + decoder.decode());
  return parser.finish();
}

/**
 * Result of {@link meanWordVectors}.
 *
 * @example
 * ```ts
 * import { meanWordVectors, parseWordVectors } from "./text.ts";
 * const r = meanWordVectors(["star zzz"], parseWordVectors("1 2\nstar 3 4\n"));
 * console.log(r.missingTokens, r.emptyRows); // 1 0
 * ```
 */
export interface MeanVectors {
  /** Number of documents. */
  readonly rows: number;
  /** Vector size. */
  readonly dims: number;
  /** Row-major `rows × dims` document vectors. */
  readonly vectors: Float32Array;
  /** Tokens with no vector at all (skipped). */
  readonly missingTokens: number;
  /** Documents none of whose tokens had a vector (zero rows). */
  readonly emptyRows: number;
}

/**
 * Document vectors as the mean of their tokens' unit-normalised word vectors
 * (as fastText's sentence vectors are built). Tokens are the document's
 * whitespace-separated words (see {@link entityDocuments}). A token is looked
 * up as is, then with its first letter upper-cased (for cased vocabularies);
 * a `column:value_words` token with no vector of its own uses the vectors of
 * its value words (`genres:sci_fi` → `sci`, `fi`). Tokens with no vector are
 * skipped; a document with none gets a zero row.
 *
 * @param documents one document per row
 * @param vectors pretrained word vectors
 * @returns the document vectors and out-of-vocabulary counts
 * @example
 * ```ts
 * import { meanWordVectors, parseWordVectors } from "./text.ts";
 * const words = parseWordVectors("2 2\nstar 2 0\nwars 0 5\n");
 * console.log(Array.from(meanWordVectors(["star wars"], words).vectors)); // [0.5, 0.5]
 * ```
 */
export function meanWordVectors(documents: readonly string[], vectors: WordVectors): MeanVectors {
  const { dims, data, index } = vectors;
  const out = new Float32Array(documents.length * dims);
  let missingTokens = 0;
  let emptyRows = 0;
  const lookup = (word: string): number => {
    const row = index.get(word);
    if (row !== undefined) return row;
    return index.get(word.charAt(0).toUpperCase() + word.slice(1)) ?? -1;
  };
  documents.forEach((doc, r) => {
    const sum = new Float64Array(dims);
    let used = 0;
    const add = (row: number) => {
      let norm = 0;
      for (let d = 0; d < dims; d++) norm += data[row * dims + d] ** 2;
      if (norm === 0) return false;
      const inv = 1 / Math.sqrt(norm);
      for (let d = 0; d < dims; d++) sum[d] += data[row * dims + d] * inv;
      used++;
      return true;
    };
    for (const token of doc.split(/\s+/)) {
      if (!token) continue;
      const row = lookup(token);
      if (row >= 0 && add(row)) continue;
      const colon = token.indexOf(":");
      let found = false;
      if (colon >= 0) {
        for (const part of token.slice(colon + 1).split("_")) {
          const partRow = part ? lookup(part) : -1;
          if (partRow >= 0 && add(partRow)) found = true;
        }
      }
      if (!found) missingTokens++;
    }
    if (used === 0) {
      emptyRows++;
      return;
    }
    for (let d = 0; d < dims; d++) out[r * dims + d] = sum[d] / used;
  });
  return { rows: documents.length, dims, vectors: out, missingTokens, emptyRows };
}
