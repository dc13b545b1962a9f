#!/usr/bin/env -S deno run -A --no-lock
/**
 * The `hwer` command. Run it with `deno task hwer …`, `deno run -A cli.ts …`,
 * install it with `deno install -g -A --no-lock -n hwer cli.ts`, or build a
 * binary with `deno compile -A --no-lock -o hwer cli.ts`.
 *
 * @module
 */
import { runCli } from "./src/cli/main.ts";

if (import.meta.main) {
  // Exit explicitly: a GPU device or a progress timer must not keep the process alive.
  Deno.exit(await runCli(Deno.args));
}
