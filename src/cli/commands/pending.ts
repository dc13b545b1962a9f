/**
 * STUBS. `train`, `recommend`, `similar` and `experiments` appear in the help
 * so the command surface is visible, but they are NOT IMPLEMENTED: each one
 * fails with exit code 1 and "not available yet: needs the hybrid model"
 * until the hybrid recommender (src/model/) exists.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "npm:@commander-js/extra-typings@15.1.0";
import { NotAvailableError } from "../errors.ts";

/** The stub commands and what they will do once the hybrid model exists. */
const PENDING: readonly (readonly [name: string, summary: string])[] = [
  ["train", "train the hybrid model and save it (safetensors + manifest)"],
  ["recommend", "top-k items for users of a saved model"],
  ["similar", "items most similar to an item of a saved model"],
  ["experiments", "run the experiment table (baselines vs hybrid, cold-start buckets)"],
];

/**
 * Builds the stub commands. Each accepts any arguments and always fails
 * with {@linkcode NotAvailableError}.
 *
 * @returns one command per stub
 * @example
 * ```ts
 * import { pendingCommands } from "./pending.ts";
 * console.log(pendingCommands().map((c) => c.name())); // ["train", "recommend", "similar", "experiments"]
 * ```
 */
export function pendingCommands(): CommandUnknownOpts[] {
  return PENDING.map(([name, summary]) =>
    new Command(name)
      .description(`[not available yet: needs the hybrid model] ${summary}`)
      .argument("[args...]")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new NotAvailableError(name);
      })
  );
}
