/**
 * `hwer experiments`: the experiment table (content, NMF, content + NMF,
 * content + triplet with global α and with the alpha tree, next to Random
 * and Popularity) on ML-100k warm and cold-item and ml-latest-small warm, as
 * markdown or JSON, optionally written to a folder.
 *
 * @module
 */
import { join } from "node:path";
import {
  Command,
  type CommandUnknownOpts,
  InvalidArgumentError,
  Option,
} from "npm:@commander-js/extra-typings@15.1.0";
import {
  EXPERIMENT_MODEL_IDS,
  type ExperimentModelId,
  EXPERIMENTS,
} from "../../experiments/models.ts";
import { EXPERIMENT_PROTOCOLS, type ExperimentProtocol } from "../../experiments/protocols.ts";
import { type ExperimentDataset, runExperiments } from "../../experiments/runner.ts";
import { formatExperimentsJson, formatExperimentsMarkdown } from "../../experiments/format.ts";
import { atomicWriteFile } from "../../util/atomic_write.ts";
import type { CliContext } from "../context.ts";
import { openDataset } from "../datasets.ts";

/** The datasets `hwer experiments` runs without `--datasets`. */
export const DEFAULT_EXPERIMENT_DATASETS: readonly string[] = ["ml-100k", "ml-latest-small"];

/**
 * Builds `hwer experiments`.
 *
 * @param context output and global options
 * @returns the command
 * @example
 * ```ts
 * import { CliContext, processIo } from "../context.ts";
 * import { experimentsCommand } from "./experiments.ts";
 * console.log(experimentsCommand(new CliContext(processIo())).name()); // "experiments"
 * ```
 */
export function experimentsCommand(context: CliContext): CommandUnknownOpts {
  return new Command("experiments")
    .description(
      "run the experiment table: content, NMF, content + NMF, content + triplet (global α, " +
        "α tree) next to Random and Popularity, warm and cold-item",
    )
    .addOption(
      new Option("--datasets <list>", "comma-separated names (ml-100k, ml-latest-small) or folders")
        .argParser(parseDatasets)
        .default([...DEFAULT_EXPERIMENT_DATASETS], DEFAULT_EXPERIMENT_DATASETS.join(",")),
    )
    .option(
      "--protocols <list>",
      `comma-separated subset of ${EXPERIMENT_PROTOCOLS.join(",")} for every dataset ` +
        "(default: both, ml-latest-small stratified only)",
      parseProtocols,
    )
    .option(
      "--models <list>",
      `comma-separated subset of ${EXPERIMENT_MODEL_IDS.join(",")} (default: all)`,
      parseModels,
    )
    .option("--quick", "a few epochs everywhere (CI size; not the figures to quote)", false)
    .option("--out <dir>", "also write experiments.md and experiments.json into this folder")
    .option(
      "--data-dir <folder>",
      "a folder holding ml-100k/ and ml-latest-small/ (default $HWER_DATA); else the cache",
    )
    .option("--cache <dir>", "cache folder for named datasets")
    .addHelpText(
      "after",
      `
Models:
${EXPERIMENTS.map((e) => `  ${e.id.padEnd(14)} ${e.description}`).join("\n")}

Protocols: stratified (per-user 75/25, top-10 from all unseen items) and
cold-item (20% of items held out, ranked among the held-out items). Columns:
NDCG@10, P@10, R@10, AUC, RMSE (models that predict ratings), fit seconds.
--seed seeds every split and model, so a run is reproducible; --backend picks
where the content and hybrid models train. Progress bars on a terminal, one
line per finished row on stderr otherwise (none with --quiet).

Examples:
  $ hwer experiments --data-dir ../shared/data --out results
  $ hwer experiments --quick --datasets ml-100k --protocols stratified
  $ hwer --json experiments --quick --datasets ./shop --models popularity,content,hybrid-tree`,
    )
    .action(async (options) => {
      const { seed, quiet } = context.globals;
      const progress = context.progress();
      const datasets: ExperimentDataset[] = [];
      try {
        for (const spec of options.datasets) {
          const opened = await openDataset(spec, {
            cacheDir: options.cache,
            progress,
            dataDir: options.dataDir,
          });
          progress.stop();
          context.debug(`experiments: ${spec} read from ${opened.dir ?? spec}`);
          datasets.push({ dataset: opened.dataset });
        }
      } finally {
        progress.stop();
      }
      const backend = (await context.selectBackend()).backend;
      if (options.out) await Deno.mkdir(options.out, { recursive: true });
      const report = await runExperiments({
        datasets,
        seed,
        quick: options.quick,
        backend,
        ...(options.protocols ? { protocols: options.protocols } : {}),
        ...(options.models ? { models: options.models } : {}),
        progress,
        onRow: (row, index, total) => {
          if (quiet || context.io.stderrIsTerminal) return;
          const ndcg = row.metrics["ndcg@10"];
          context.note(
            `[${index + 1}/${total}] ${row.dataset}/${row.protocol} ${row.label}: ` +
              `NDCG ${typeof ndcg === "number" ? ndcg.toFixed(4) : "—"}, ` +
              `fit ${row.fitSeconds.toFixed(1)} s`,
          );
        },
      });
      const markdown = formatExperimentsMarkdown(report);
      const json = formatExperimentsJson(report);
      if (options.out) {
        await atomicWriteFile(join(options.out, "experiments.md"), markdown);
        await atomicWriteFile(join(options.out, "experiments.json"), json);
        context.note(
          `wrote ${join(options.out, "experiments.md")} and ${
            join(options.out, "experiments.json")
          }`,
        );
      }
      context.print(context.globals.json ? json : markdown);
    });
}

function parseList(value: string, what: string): string[] {
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${what}`);
  }
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) {
    throw new InvalidArgumentError(`${repeated[0]} is listed twice`);
  }
  return names;
}

function parseChoices<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const names = parseList(value, what);
  const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown ${what} ${unknown.join(", ")}; use ${allowed.join(",")}`,
    );
  }
  return names as T[];
}

function parseDatasets(value: string): string[] {
  return parseList(value, "dataset names or folders");
}

function parseProtocols(value: string): ExperimentProtocol[] {
  return parseChoices(value, EXPERIMENT_PROTOCOLS, "protocol");
}

function parseModels(value: string): ExperimentModelId[] {
  return parseChoices(value, EXPERIMENT_MODEL_IDS, "model");
}
