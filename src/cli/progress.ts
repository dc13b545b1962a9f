/**
 * Progress bars for downloads and training stages: a small callback
 * interface that library code can call through an `onProgress` option, and
 * a terminal implementation on cli-progress that draws to stderr only when
 * stderr is a terminal and `--quiet` is off. Everything else gets a silent
 * reporter, so piped output and CI logs stay clean.
 *
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const progress = createProgress({ quiet: true }); // silent
 * progress.start(3, "epochs");
 * for (let epoch = 1; epoch <= 3; epoch++) progress.update(epoch, { epoch, loss: 1 / epoch });
 * progress.stop();
 * ```
 *
 * @module
 */
import process from "node:process";
import cliProgress from "npm:cli-progress@3.12.0";
import type { FetchProgress } from "../data/fetch.ts";
import type { FitOptions } from "../eval/recommender.ts";

export { stageProgress, type StageReport } from "./stages.ts";

/**
 * Extra numbers shown next to a bar: the epoch and loss of a training stage,
 * or anything else worth a glance.
 *
 * @example
 * ```ts
 * import type { ProgressInfo } from "./progress.ts";
 * const info: ProgressInfo = { epoch: 3, loss: 0.4213 };
 * console.log(info.loss); // 0.4213
 * ```
 */
export interface ProgressInfo {
  /** 1-based epoch of a training stage. */
  readonly epoch?: number;
  /** Current training loss. */
  readonly loss?: number;
  /** A short free-form note, e.g. "validation". */
  readonly note?: string;
}

/**
 * Options of {@linkcode ProgressReporter.start}.
 *
 * @example
 * ```ts
 * import type { ProgressStartOptions } from "./progress.ts";
 * const o: ProgressStartOptions = { unit: "bytes" };
 * console.log(o.unit); // "bytes"
 * ```
 */
export interface ProgressStartOptions {
  /** How to show value and total: plain counts (default) or bytes as KB/MB. */
  readonly unit?: "count" | "bytes";
}

/**
 * What library code calls to report progress: `start` once per stage,
 * `update` as it advances (value between 0 and total), `stop` at the end.
 * Calling `start` again begins a new stage. Implementations must tolerate
 * `update`/`stop` without `start`.
 *
 * @example
 * ```ts
 * import type { ProgressReporter } from "./progress.ts";
 * const lines: string[] = [];
 * const logger: ProgressReporter = {
 *   start: (total, label) => lines.push(`${label}: 0/${total}`),
 *   update: (value, info) => lines.push(`${value} loss ${info?.loss}`),
 *   stop: () => lines.push("done"),
 * };
 * logger.start(2, "triplet");
 * logger.update(1, { loss: 0.5 });
 * logger.stop();
 * console.log(lines.length); // 3
 * ```
 */
export interface ProgressReporter {
  /**
   * Begins a stage.
   *
   * @param total the value at completion (epochs, bytes, files); 0 when unknown
   * @param label what is being done, e.g. "ml-100k download" or "triplet epochs"
   * @param options how to show the numbers
   */
  start(total: number, label: string, options?: ProgressStartOptions): void;
  /**
   * Moves the bar.
   *
   * @param value progress so far, 0..total
   * @param info epoch, loss or a note to show next to the bar
   */
  update(value: number, info?: ProgressInfo): void;
  /** Ends the stage, leaving the final bar on its own line. */
  stop(): void;
}

/**
 * A reporter that shows nothing.
 *
 * @example
 * ```ts
 * import { silentProgress } from "./progress.ts";
 * silentProgress.start(10, "nothing to see");
 * silentProgress.stop();
 * ```
 */
export const silentProgress: ProgressReporter = Object.freeze({
  start() {},
  update() {},
  stop() {},
});

/**
 * The output stream a terminal bar writes to: Node's `process.stderr` or a
 * stand-in with the same few members.
 *
 * @example
 * ```ts
 * import type { ProgressStream } from "./progress.ts";
 * const chunks: string[] = [];
 * const stream: ProgressStream = { isTTY: true, columns: 80, write: (s: string) => chunks.push(s) > 0 };
 * console.log(stream.isTTY); // true
 * ```
 */
export interface ProgressStream {
  /** Whether the stream is a terminal (cli-progress draws only then). */
  readonly isTTY?: boolean;
  /** Terminal width in characters. */
  readonly columns?: number;
  /** Writes text. */
  write(text: string): boolean;
}

/**
 * Options of {@linkcode createProgress}.
 *
 * @example
 * ```ts
 * import type { CreateProgressOptions } from "./progress.ts";
 * const o: CreateProgressOptions = { quiet: false };
 * console.log(o.quiet); // false
 * ```
 */
export interface CreateProgressOptions {
  /** `--quiet`: never draw. */
  readonly quiet?: boolean;
  /** Whether stderr is a terminal (default `Deno.stderr.isTerminal()`). */
  readonly isTerminal?: boolean;
  /** Where to draw (default `process.stderr`); tests pass a stand-in. */
  readonly stream?: ProgressStream;
}

/** The subset of cli-progress's SingleBar that hwer uses (the package ships no types). */
interface SingleBar {
  start(total: number, startValue: number, payload?: Record<string, string>): void;
  update(value: number, payload?: Record<string, string>): void;
  setTotal(total: number): void;
  stop(): void;
}
type SingleBarConstructor = new (options: Record<string, unknown>) => SingleBar;

/**
 * A reporter for the terminal: a cli-progress bar on stderr with
 * percentage, done/total, ETA, epoch and loss, redrawn at most 10 times a
 * second. Silent (see {@linkcode silentProgress}) with `quiet` or when stderr
 * is not a terminal.
 *
 * @param options quiet flag, terminal detection and stream overrides
 * @returns the reporter
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const written: string[] = [];
 * const progress = createProgress({
 *   isTerminal: true,
 *   stream: { isTTY: true, columns: 100, write: (s: string) => written.push(s) > 0 },
 * });
 * progress.start(4, "epochs");
 * progress.update(2, { epoch: 2, loss: 0.25 });
 * progress.stop();
 * console.log(written.join("").includes("epoch 2 · loss 0.2500")); // true
 * ```
 */
export function createProgress(options: CreateProgressOptions = {}): ProgressReporter {
  if (options.quiet) return silentProgress;
  const isTerminal = options.isTerminal ?? stderrIsTerminal();
  if (!isTerminal) return silentProgress;
  return new TerminalProgress(options.stream ?? (process.stderr as unknown as ProgressStream));
}

class TerminalProgress implements ProgressReporter {
  readonly #stream: ProgressStream;
  #bar: SingleBar | undefined;
  #total = 0;
  #unit: "count" | "bytes" = "count";

  constructor(stream: ProgressStream) {
    this.#stream = stream;
  }

  start(total: number, label: string, options: ProgressStartOptions = {}): void {
    this.stop();
    this.#total = Math.max(0, total);
    this.#unit = options.unit ?? "count";
    const Bar = (cliProgress as unknown as { SingleBar: SingleBarConstructor }).SingleBar;
    this.#bar = new Bar({
      stream: this.#stream,
      format: this.#total > 0
        ? "{label} [{bar}] {percentage}% {amount} | ETA {eta_formatted}{info}"
        : "{label} {amount}{info}",
      barCompleteChar: "█",
      barIncompleteChar: "░",
      barsize: 30,
      hideCursor: false, // a Ctrl-C must never leave the cursor hidden
      gracefulExit: false,
      clearOnComplete: false,
      fps: 10,
      etaBuffer: 20,
    });
    this.#bar.start(this.#total || 1, 0, { label, amount: this.#amount(0), info: "" });
  }

  update(value: number, info: ProgressInfo = {}): void {
    if (!this.#bar) return;
    const parts: string[] = [];
    if (info.epoch !== undefined) parts.push(`epoch ${info.epoch}`);
    if (info.loss !== undefined) parts.push(`loss ${info.loss.toFixed(4)}`);
    if (info.note) parts.push(info.note);
    const shown = this.#total > 0 ? Math.min(value, this.#total) : 0;
    this.#bar.update(shown, {
      amount: this.#amount(value),
      info: parts.length > 0 ? ` | ${parts.join(" · ")}` : "",
    });
  }

  stop(): void {
    if (!this.#bar) return;
    this.#bar.stop();
    this.#bar = undefined;
  }

  #amount(value: number): string {
    if (this.#unit === "bytes") {
      return this.#total > 0 ? `${bytes(value)}/${bytes(this.#total)}` : bytes(value);
    }
    return this.#total > 0 ? `${value}/${this.#total}` : String(value);
  }
}

/**
 * Adapts a reporter to `fetchDataset`'s `onProgress`: one bar for the
 * download (bytes), one for the extraction (files); nothing for a cached or
 * local dataset.
 *
 * @param reporter where to draw
 * @returns an `onProgress` callback
 * @example
 * ```ts ignore
 * import { fetchDataset } from "../data/fetch.ts";
 * import { createProgress, fetchProgressCallback } from "./progress.ts";
 * await fetchDataset("ml-100k", { onProgress: fetchProgressCallback(createProgress()) });
 * ```
 */
export function fetchProgressCallback(
  reporter: ProgressReporter,
): (progress: FetchProgress) => void {
  let phase: FetchProgress["phase"] | undefined;
  return (p) => {
    if (p.phase === "download" || p.phase === "extract") {
      if (phase !== p.phase) {
        reporter.start(p.total ?? 0, `${p.dataset} ${p.phase}`, {
          unit: p.phase === "download" ? "bytes" : "count",
        });
        phase = p.phase;
      }
      reporter.update(p.loaded);
    } else if (phase !== undefined) {
      reporter.stop();
      phase = undefined;
    }
  };
}

/**
 * Adapts a reporter to a model's `fit(train, {onEpoch})`: a bar of epochs
 * that starts at the first epoch and stops after the last.
 *
 * @param reporter where to draw
 * @param label the stage, e.g. "SVD epochs"
 * @returns fit options with `onEpoch`
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { SVD } from "../collab/svd.ts";
 * import { epochProgress, silentProgress } from "./progress.ts";
 * const model = new SVD({ factors: 2, epochs: 3 });
 * model.fit(datasetFromTriples("toy", [["a", "x", 4]]), epochProgress(silentProgress, "SVD epochs"));
 * ```
 */
export function epochProgress(reporter: ProgressReporter, label: string): FitOptions {
  let started = false;
  return {
    onEpoch(epoch, total) {
      if (!started) {
        reporter.start(total, label);
        started = true;
      }
      reporter.update(epoch, { epoch });
      if (epoch >= total) {
        reporter.stop();
        started = false;
      }
    },
  };
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}
