/**
 * `hwer model info`: verify a saved model folder (version, checksums,
 * tensor file) and describe it.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "npm:@commander-js/extra-typings@15.1.0";
import { type LoadedModelFiles, loadModelFiles } from "../../model/manifest.ts";
import type { CliContext } from "../context.ts";

/**
 * What `hwer model info --json` prints about a verified model folder.
 *
 * @param loaded the verified files
 * @returns plain JSON data
 * @example
 * ```ts ignore
 * import { loadModelFiles } from "../../model/manifest.ts";
 * import { describeModel } from "./model.ts";
 * console.log(describeModel(await loadModelFiles("models/ml-100k")).tensors);
 * ```
 */
export function describeModel(loaded: LoadedModelFiles): Record<string, unknown> {
  const m = loaded.manifest;
  return {
    dir: loaded.dir,
    verified: true,
    formatVersion: m.formatVersion,
    hwerVersion: m.hwerVersion,
    createdAt: m.createdAt,
    users: m.idMaps.users.length,
    items: m.idMaps.items.length,
    dataFingerprint: m.dataFingerprint,
    config: m.config,
    metrics: m.metrics,
    tables: Object.keys(m.tables),
    tensors: Object.fromEntries(
      Object.entries(loaded.tensors).map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape }]),
    ),
    files: m.files,
  };
}

/**
 * Builds `hwer model` with its `info` subcommand.
 *
 * @param context output and global options
 * @returns the command
 * @example
 * ```ts
 * import { CliContext, processIo } from "../context.ts";
 * import { modelCommand } from "./model.ts";
 * console.log(modelCommand(new CliContext(processIo())).commands.map((c) => c.name())); // ["info"]
 * ```
 */
export function modelCommand(context: CliContext): CommandUnknownOpts {
  const model = new Command("model").description("inspect saved model folders");
  model.command("info")
    .description("verify a saved model (format version, sizes, sha256 checksums) and describe it")
    .argument("<dir>", "the model folder (manifest.json, model.safetensors, …)")
    .addHelpText(
      "after",
      `
Fails with exit code 1 and names the file when a file is missing, truncated or
edited, or the model was written by a newer hwer.

Examples:
  $ hwer model info models/ml-100k
  $ hwer model info models/ml-100k --json`,
    )
    .action(async (dir) => {
      const loaded = await loadModelFiles(dir);
      const d = describeModel(loaded);
      if (context.globals.json) {
        context.printJson(d);
        return;
      }
      const m = loaded.manifest;
      const lines = [
        `${dir}: verified (format ${m.formatVersion}, hwer ${m.hwerVersion}, created ${m.createdAt})`,
        `  users ${m.idMaps.users.length}, items ${m.idMaps.items.length}; trained on ` +
        `${m.dataFingerprint.interactions} interactions (sha256 ${
          m.dataFingerprint.sha256.slice(0, 12)
        }…)`,
        ...Object.entries(loaded.tensors).map(([name, t]) =>
          `  tensor ${name}: ${t.dtype} [${t.shape.join(", ")}]`
        ),
        ...m.files.map((f) =>
          `  file ${f.name}: ${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)}…`
        ),
        ...Object.entries(m.metrics).map(([name, v]) => `  metric ${name}: ${v ?? "–"}`),
      ];
      context.print(lines.join("\n"));
    });
  return model;
}
