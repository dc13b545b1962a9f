/**
 * The `hwer` command-line interface as a library: {@linkcode runCli} runs it
 * with any arguments and output; the progress interface lets library code
 * report downloads and training stages.
 *
 * @example
 * ```ts
 * import { runCli } from "./mod.ts";
 * const code = await runCli(["--version"]);
 * console.log(code); // 0
 * ```
 *
 * @module
 */
export { runCli } from "./main.ts";
export { type CliIo, processIo } from "./context.ts";
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.ts";
export {
  createProgress,
  type CreateProgressOptions,
  epochProgress,
  fetchProgressCallback,
  type ProgressInfo,
  type ProgressReporter,
  type ProgressStartOptions,
  type ProgressStream,
  silentProgress,
} from "./progress.ts";
// Types the exports above mention, so this entry point documents itself.
export type { FetchProgress } from "../data/fetch.ts";
export type { FitOptions } from "../eval/recommender.ts";
