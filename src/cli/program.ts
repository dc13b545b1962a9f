/**
 * The `hwer` command tree: global options, subcommands, help with examples,
 * and commander configured to throw (never exit) so {@linkcode runCli} owns
 * the exit codes.
 *
 * @module
 */
// commander is the peer of extra-typings; importing it pins the version Deno installs.
import "npm:commander@15.1.0";
import { Command, type CommandUnknownOpts, Option } from "npm:@commander-js/extra-typings@15.1.0";
import { HWER_VERSION } from "../model/manifest.ts";
import { benchCommand } from "./commands/bench.ts";
import { dataCommand } from "./commands/data.ts";
import { evalCommand } from "./commands/eval.ts";
import { experimentsCommand } from "./commands/experiments.ts";
import { modelCommand } from "./commands/model.ts";
import { recommendCommand, similarCommand } from "./commands/query.ts";
import { trainCommand } from "./commands/train.ts";
import { parseSeed } from "./commands/_parse.ts";
import type { CliContext } from "./context.ts";

/** The examples at the end of `hwer --help`. */
export const PROGRAM_EXAMPLES = `
Examples:
  $ hwer data fetch ml-100k                      download MovieLens 100K into the cache
  $ hwer data info ml-100k --json                counts, columns and warnings as JSON
  $ hwer eval --dataset ml-100k --model svd --split u1-u5
  $ hwer eval --dataset ./shop --model popularity --split cold-item --k 20
  $ hwer train --dataset ml-100k --out models/ml-100k
  $ hwer recommend --model models/ml-100k --user 196 --k 5
  $ hwer similar --model models/ml-100k --new-item '{"title": "Space Saga", "genres": ["Sci-Fi"]}'
  $ hwer model info models/ml-100k               verify a saved model's checksums
  $ hwer experiments --data-dir ../shared/data --out results
  $ hwer bench --filter cosine                   benchmarks (in a checkout of the repository)

Exit codes: 0 success, 1 failure (one-line message; the stack with --verbose),
2 usage error. Progress bars go to stderr, only on a terminal and never with --quiet.`;

/**
 * Builds the program. Commander prints its own messages through
 * `context.io` and throws a `CommanderError` instead of exiting.
 *
 * @param context output and global options (filled in before any action runs)
 * @returns the root command
 * @example
 * ```ts
 * import { CliContext, processIo } from "./context.ts";
 * import { createProgram } from "./program.ts";
 * const program = createProgram(new CliContext(processIo()));
 * console.log(program.commands.map((c) => c.name()).includes("eval")); // true
 * ```
 */
export function createProgram(context: CliContext): CommandUnknownOpts {
  const program = new Command("hwer")
    .description(
      "hybrid recommendation: content embeddings enhanced with collaborative signal, " +
        "blended by how much history each user and item has",
    )
    .version(HWER_VERSION, "-V, --version", "print the hwer version")
    .addOption(
      new Option("--backend <name>", "compute backend")
        .choices(["auto", "cpu", "webgpu"] as const)
        .default("auto" as const),
    )
    .option("--seed <n>", "seed of every random choice", parseSeed, 42)
    .option("--json", "machine-readable output on stdout", false)
    .addOption(
      new Option("-q, --quiet", "no progress bars or notes on stderr").conflicts("verbose"),
    )
    .option("-v, --verbose", "notes, timings and stack traces on stderr", false)
    .addHelpText("after", PROGRAM_EXAMPLES)
    .hook("preAction", () => {
      const o = program.opts();
      context.setGlobals({
        backend: o.backend,
        seed: o.seed,
        json: o.json,
        quiet: o.quiet ?? false,
        verbose: o.verbose,
      });
    });

  for (
    const command of [
      dataCommand(context),
      trainCommand(context),
      recommendCommand(context),
      similarCommand(context),
      evalCommand(context),
      modelCommand(context),
      benchCommand(context),
      experimentsCommand(context),
    ]
  ) {
    program.addCommand(command);
  }

  program.exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.writeOut(text),
      writeErr: (text) => context.io.writeErr(text),
      outputError: (text, write) => write(`hwer: ${text}`),
    })
    .showHelpAfterError("(add --help for usage and examples)");
  inheritSettings(program);
  return program;
}

/** addCommand() does not copy settings the way command() does; copy them down the tree. */
function inheritSettings(parent: CommandUnknownOpts): void {
  for (const child of parent.commands) {
    child.copyInheritedSettings(parent);
    inheritSettings(child);
  }
}
