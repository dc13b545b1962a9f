/**
 * The CLI's error kinds and exit codes: 0 for success, 2 for a usage error
 * (bad option, missing argument, arguments that do not fit together), 1 for
 * any other failure. Library code throws its own typed errors; only the CLI
 * turns them into exit codes.
 *
 * @module
 */

/** Exit code of a successful command. */
export const EXIT_OK = 0;
/** Exit code of a command that failed (bad data, missing file, corrupt model, …). */
export const EXIT_FAILURE = 1;
/** Exit code of a usage error: the command line itself is wrong. */
export const EXIT_USAGE = 2;

/**
 * The command line is wrong in a way the parser cannot see, e.g. an official
 * fold asked of a dataset that has none. Exits with {@linkcode EXIT_USAGE}.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * const e = new UsageError("--split u1 needs ML-100K's official folds", "eval");
 * console.log(e.exitCode, e.command); // 2 "eval"
 * ```
 */
export class UsageError extends Error {
  /** Always {@linkcode EXIT_USAGE}. */
  readonly exitCode: number = EXIT_USAGE;
  /** The subcommand whose help explains the right usage, if any. */
  readonly command: string | undefined;

  /**
   * Creates the error.
   *
   * @param message what is wrong with the command line
   * @param command the subcommand to point at (e.g. "eval" for `hwer eval --help`)
   */
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}
