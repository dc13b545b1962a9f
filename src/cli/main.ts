/**
 * Runs the CLI: parses the arguments, runs the command, and turns errors
 * into exit codes: 2 for usage errors, 1 for failures (one line, the stack
 * only with `--verbose`), 0 otherwise. It never calls `Deno.exit`; `cli.ts`
 * does, with the code this returns.
 *
 * @module
 */
import { CommanderError } from "npm:@commander-js/extra-typings@15.1.0";
import { CliContext, type CliIo, processIo } from "./context.ts";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.ts";
import { createProgram } from "./program.ts";

/**
 * Runs `hwer` with the given arguments.
 *
 * @param args the arguments after the program name, e.g. `["data", "info", "ml-100k"]`
 * @param io where to write (default: the process's stdout and stderr)
 * @returns the exit code: 0 success, 1 failure, 2 usage error
 * @example
 * ```ts
 * import { runCli } from "./main.ts";
 * const out: string[] = [];
 * const code = await runCli(["--version"], {
 *   writeOut: (s) => out.push(s),
 *   writeErr: () => {},
 *   stderrIsTerminal: false,
 * });
 * console.log(code, out.join("").trim()); // 0 "0.1.0"
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context = new CliContext(io);
  const program = createProgram(context);
  try {
    await program.parseAsync([...args], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help); help and --version exit 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    const verbose = context.globals.verbose || args.includes("--verbose") || args.includes("-v");
    io.writeErr(`hwer: error: ${oneLine(error)}\n`);
    if (error instanceof UsageError) {
      io.writeErr(`(run "hwer ${error.command ? `${error.command} ` : ""}--help" for usage)\n`);
      return EXIT_USAGE;
    }
    if (verbose) io.writeErr(`${stackOf(error)}\n`);
    return EXIT_FAILURE;
  }
}

/** The message on one line: people read the first line, scripts grep it. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/\r?\n/).map((s) => s.trim()).filter(Boolean).join(" ");
}

function stackOf(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    lines.push(
      depth === 0 ? "" : "caused by:",
      current instanceof Error ? current.stack ?? current.message : String(current),
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.filter((s, i) => i > 0 || s).join("\n");
}
