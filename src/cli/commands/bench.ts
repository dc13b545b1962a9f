/**
 * `hwer bench`: runs the repository's `deno bench` suite, when the CLI runs
 * from a checkout that has one.
 *
 * @module
 */
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, type CommandUnknownOpts } from "npm:@commander-js/extra-typings@15.1.0";
import type { CliContext } from "../context.ts";

/**
 * The checkout this CLI runs from: three folders above this file, when it is
 * a local file (not a URL import or a compiled binary's bundle).
 *
 * @returns the folder, or undefined when the CLI is not running from files
 * @example
 * ```ts
 * import { defaultRepoRoot } from "./bench.ts";
 * console.log(typeof (defaultRepoRoot() ?? "")); // "string"
 * ```
 */
export function defaultRepoRoot(): string | undefined {
  const url = new URL("../../../", import.meta.url);
  return url.protocol === "file:" ? fileURLToPath(url) : undefined;
}

/**
 * Builds `hwer bench`.
 *
 * @param context output and global options
 * @returns the command
 * @example
 * ```ts
 * import { CliContext, processIo } from "../context.ts";
 * import { benchCommand } from "./bench.ts";
 * console.log(benchCommand(new CliContext(processIo())).name()); // "bench"
 * ```
 */
export function benchCommand(context: CliContext): CommandUnknownOpts {
  return new Command("bench")
    .description("run the benchmarks of the hwer repository (deno bench over bench/)")
    .option("--repo <dir>", "the hwer checkout to benchmark (default: the one this CLI runs from)")
    .option("--filter <text>", "only benchmarks whose name contains this text")
    .addHelpText(
      "after",
      `
Needs a checkout of the hwer repository (its bench/ folder and deno.json) and
deno on the PATH; an installed or compiled hwer without the repository says so.

Examples:
  $ hwer bench
  $ hwer bench --filter cosine`,
    )
    .action(async (options) => {
      const root = options.repo ?? defaultRepoRoot();
      if (
        !root || !(await isDir(join(root, "bench"))) || !(await isFile(join(root, "deno.json")))
      ) {
        throw new Error(
          `bench needs a checkout of the hwer repository with bench/ and deno.json; ` +
            `${root ? `${root} has none` : "this hwer does not run from files"} ` +
            `(clone the repository, or pass --repo <dir>)`,
        );
      }
      // A compiled hwer's execPath is hwer itself, not deno.
      const exec = basename(Deno.execPath()).startsWith("deno") ? Deno.execPath() : "deno";
      const args = [
        "bench",
        "-A",
        "--no-lock",
        ...(options.filter ? ["--filter", options.filter] : []),
        "bench/",
      ];
      context.debug(`bench: ${exec} ${args.join(" ")} (in ${root})`);
      const status = await new Deno.Command(exec, {
        args,
        cwd: root,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      if (!status.success) throw new Error(`deno bench exited with code ${status.code}`);
    });
}

async function isDir(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => undefined))?.isDirectory ?? false;
}

async function isFile(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => undefined))?.isFile ?? false;
}
