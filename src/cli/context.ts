/**
 * What every command gets: the global options, where to print, and a
 * progress reporter that honours `--quiet` and the terminal.
 *
 * @module
 */
import process from "node:process";
import { type BackendPreference, type BackendSelection, selectBackend } from "../compute/select.ts";
import { createProgress, type ProgressReporter, type ProgressStream } from "./progress.ts";

/**
 * The global options, parsed.
 *
 * @example
 * ```ts
 * import type { GlobalOptions } from "./context.ts";
 * const g: GlobalOptions = { backend: "auto", seed: 42, json: false, quiet: false, verbose: false };
 * console.log(g.seed); // 42
 * ```
 */
export interface GlobalOptions {
  /** `--backend`: compute backend for commands that compute on one. */
  readonly backend: BackendPreference;
  /** `--seed`: seed of every random choice (splits, initialisation, sampling). */
  readonly seed: number;
  /** `--json`: machine-readable output on stdout. */
  readonly json: boolean;
  /** `--quiet`: no progress bars and no notes on stderr. */
  readonly quiet: boolean;
  /** `--verbose`: notes, timings and stack traces on stderr. */
  readonly verbose: boolean;
}

/**
 * Where the CLI writes. The default writes to the process's stdout and
 * stderr; tests and embedders pass their own.
 *
 * @example
 * ```ts
 * import type { CliIo } from "./context.ts";
 * const out: string[] = [];
 * const io: CliIo = { writeOut: (s) => out.push(s), writeErr: () => {}, stderrIsTerminal: false };
 * io.writeOut("hi\n");
 * console.log(out); // ["hi\n"]
 * ```
 */
export interface CliIo {
  /** Writes to standard output (results). */
  writeOut(text: string): void;
  /** Writes to standard error (errors, notes, progress). */
  writeErr(text: string): void;
  /** Whether standard error is a terminal (progress bars are drawn only then). */
  readonly stderrIsTerminal: boolean;
  /** Where bars are drawn (default: `process.stderr` for {@linkcode processIo}, else `writeErr`). */
  readonly progressStream?: ProgressStream;
}

/**
 * The process's own stdout and stderr. A closed pipe (`hwer … | head`) ends
 * output quietly instead of failing.
 *
 * @returns an io for the real process
 * @example
 * ```ts
 * import { processIo } from "./context.ts";
 * processIo().writeOut("hello\n");
 * ```
 */
export function processIo(): CliIo {
  return {
    writeOut: (text) => writeAllSync(Deno.stdout, text),
    writeErr: (text) => writeAllSync(Deno.stderr, text),
    stderrIsTerminal: isTerminal(Deno.stderr),
    progressStream: process.stderr as unknown as ProgressStream, // knows the terminal's width
  };
}

/**
 * The services a command uses; one per run.
 *
 * @example
 * ```ts
 * import { CliContext } from "./context.ts";
 * const out: string[] = [];
 * const context = new CliContext({ writeOut: (s) => out.push(s), writeErr: () => {}, stderrIsTerminal: false });
 * context.setGlobals({ backend: "cpu", seed: 1, json: true, quiet: true, verbose: false });
 * context.printJson({ ok: true });
 * console.log(JSON.parse(out[0]).ok); // true
 * ```
 */
export class CliContext {
  /** Where output goes. */
  readonly io: CliIo;
  #globals: GlobalOptions = {
    backend: "auto",
    seed: 42,
    json: false,
    quiet: false,
    verbose: false,
  };
  #backend: Promise<BackendSelection> | undefined;

  /**
   * Creates a context writing to `io`.
   *
   * @param io stdout/stderr writers
   */
  constructor(io: CliIo) {
    this.io = io;
  }

  /** The parsed global options (defaults until the parser has run). */
  get globals(): GlobalOptions {
    return this.#globals;
  }

  /**
   * Records the parsed global options.
   *
   * @param globals the options
   */
  setGlobals(globals: GlobalOptions): void {
    this.#globals = globals;
  }

  /**
   * Selects the compute backend `--backend` asks for (`HWER_BACKEND`
   * overrides it, as in {@linkcode selectBackend}), once per run, and says
   * why with `--verbose`. Commands that compute call this; the others never
   * touch the GPU.
   *
   * @returns the backend and the reason it was chosen
   * @example
   * ```ts
   * import { CliContext, processIo } from "./context.ts";
   * const context = new CliContext(processIo());
   * context.setGlobals({ backend: "cpu", seed: 42, json: false, quiet: false, verbose: false });
   * const { backend } = await context.selectBackend();
   * console.log(backend.name); // "cpu" (unless HWER_BACKEND says otherwise)
   * backend.destroy();
   * ```
   */
  selectBackend(): Promise<BackendSelection> {
    this.#backend ??= selectBackend(this.#globals.backend).then((selection) => {
      this.debug(`backend: ${selection.backend.name} (${selection.reason})`);
      return selection;
    });
    return this.#backend;
  }

  /**
   * A progress reporter: bars on stderr when it is a terminal and not `--quiet`.
   *
   * @returns the reporter
   */
  progress(): ProgressReporter {
    const io = this.io;
    return createProgress({
      quiet: this.#globals.quiet,
      isTerminal: io.stderrIsTerminal,
      stream: io.progressStream ?? {
        isTTY: io.stderrIsTerminal,
        columns: 100,
        write: (text) => (io.writeErr(text), true),
      },
    });
  }

  /**
   * Prints a result line (or lines) on stdout.
   *
   * @param text the text, without the final newline
   */
  print(text: string): void {
    this.io.writeOut(text.endsWith("\n") ? text : `${text}\n`);
  }

  /**
   * Prints a value as pretty JSON on stdout; NaN and ±∞ become null.
   *
   * @param value the value
   */
  printJson(value: unknown): void {
    this.print(JSON.stringify(
      value,
      (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
      2,
    ));
  }

  /**
   * A note for people on stderr (e.g. where a file went); hidden by `--quiet`.
   *
   * @param text one line
   */
  note(text: string): void {
    if (!this.#globals.quiet) this.io.writeErr(`${text}\n`);
  }

  /**
   * A detail shown only with `--verbose` (choices made, timings).
   *
   * @param text one line
   */
  debug(text: string): void {
    if (this.#globals.verbose) this.io.writeErr(`${text}\n`);
  }
}

function writeAllSync(file: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = new TextEncoder().encode(text);
  try {
    let written = 0;
    while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
  } catch (e) {
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
  }
}

function isTerminal(file: { isTerminal(): boolean }): boolean {
  try {
    return file.isTerminal();
  } catch {
    return false;
  }
}
