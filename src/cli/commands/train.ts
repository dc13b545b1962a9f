/**
 * `hwer train`: fit the hybrid model on a dataset and save it as a model
 * folder (safetensors + manifest + fastText models).
 *
 * @module
 */
import { Command, type CommandUnknownOpts, Option } from "npm:@commander-js/extra-typings@15.1.0";
import { type HybridOptions, type HybridProgress, HybridRecommender } from "../../model/hybrid.ts";
import type { CliContext } from "../context.ts";
import { openDataset } from "../datasets.ts";
import { type ProgressReporter, stageProgress } from "../progress.ts";
import { parsePositiveInt } from "./_parse.ts";

/**
 * The label of each hybrid stage's progress bar.
 *
 * @example
 * ```ts
 * import { STAGE_LABELS } from "./train.ts";
 * console.log(STAGE_LABELS.triplet); // "collaborative (triplet) epochs"
 * ```
 */
export const STAGE_LABELS: Readonly<Record<HybridProgress["stage"], string>> = {
  text: "fastText epochs",
  content: "content autoencoder epochs",
  triplet: "collaborative (triplet) epochs",
  nmf: "collaborative (NMF) epochs",
  alpha: "α",
  rating: "rating model (SVD++) epochs",
  refit: "refit",
};

/**
 * Turns the hybrid's progress callbacks into progress bars (one per stage,
 * with epoch, loss and ETA) and notes (the fitted α rules) for `--verbose`.
 *
 * @param reporter where bars go
 * @param debug where notes go
 * @returns the callback for `HybridRecommender.fit`
 * @example
 * ```ts
 * import { silentProgress } from "../progress.ts";
 * import { hybridProgress } from "./train.ts";
 * const onProgress = hybridProgress(silentProgress, () => {});
 * onProgress({ stage: "triplet", epoch: 1, epochs: 10, loss: 0.2 });
 * ```
 */
export function hybridProgress(
  reporter: ProgressReporter,
  debug: (line: string) => void,
): (p: HybridProgress) => void {
  return stageProgress(reporter, (stage) => STAGE_LABELS[stage as HybridProgress["stage"]], (p) => {
    reporter.stop();
    debug(`${p.stage}: ${p.message}`);
  });
}

/**
 * Builds `hwer train`.
 *
 * @param context output and global options
 * @returns the command
 * @example
 * ```ts
 * import { CliContext, processIo } from "../context.ts";
 * import { trainCommand } from "./train.ts";
 * console.log(trainCommand(new CliContext(processIo())).name()); // "train"
 * ```
 */
export function trainCommand(context: CliContext): CommandUnknownOpts {
  return new Command("train")
    .description("train the hybrid model on a dataset and save it to a model folder")
    .requiredOption("--dataset <name|folder>", "ml-100k, ml-latest-small, or a dataset folder/file")
    .requiredOption("--out <dir>", "the model folder to write (created if needed)")
    .addOption(
      new Option("--collaborative <stage>", "collaborative stage")
        .choices(["triplet", "nmf"] as const).default("triplet" as const),
    )
    .addOption(
      new Option("--alpha <mode>", "how α depends on each entity's history")
        .choices(["tree", "smooth", "stages", "global"] as const).default("tree" as const),
    )
    .option("--epochs <n>", "triplet epochs (default 100)", parsePositiveInt)
    .option("--text-epochs <n>", "fastText epochs (default 20)", parsePositiveInt)
    .option("--fusion-epochs <n>", "content autoencoder epochs (default 60)", parsePositiveInt)
    .option("--no-refit", "keep the stages trained for the α fit instead of retraining on all data")
    .option("--cache <dir>", "cache folder for named datasets")
    .addHelpText(
      "after",
      `
Trains content (fastText + feature autoencoder), collaborative (weighted
triplet loss, or NMF) and the α rules on a validation split carved from the
data, then retrains on all of it (--no-refit skips that, about half the time).
Writes <dir>/model.safetensors, the fastText models and <dir>/manifest.json
(options, id maps, α rules, validation metrics, data fingerprint, checksums);
each file atomically, the manifest last.

Examples:
  $ hwer train --dataset ml-100k --out models/ml-100k
  $ hwer train --dataset ml-100k --out models/quick --epochs 20 --text-epochs 5 --no-refit
  $ hwer train --dataset ./shop --out models/shop --alpha smooth --json`,
    )
    .action(async (options) => {
      const { seed } = context.globals;
      const progress = context.progress();
      try {
        const opened = await openDataset(options.dataset, { cacheDir: options.cache, progress });
        progress.stop();
        const { backend, reason } = await context.selectBackend();
        const hybridOptions: HybridOptions = {
          seed,
          backend,
          collaborative: options.collaborative,
          alpha: options.alpha,
          refit: options.refit,
          ...(options.epochs ? { triplet: { epochs: options.epochs } } : {}),
          content: {
            items: {
              ...(options.textEpochs ? { text: { epochs: options.textEpochs } } : {}),
              ...(options.fusionEpochs ? { fusion: { epochs: options.fusionEpochs } } : {}),
            },
            ...(options.fusionEpochs
              ? { users: { fusion: { epochs: options.fusionEpochs } } }
              : {}),
          },
        };
        const model = new HybridRecommender(hybridOptions);
        const data = opened.dataset;
        context.debug(
          `train: ${data.name}: ${data.users.ids.length} users, ${data.items.ids.length} items, ` +
            `${data.interactions.length} interactions; backend ${backend.name} (${reason})`,
        );
        const started = performance.now();
        await model.fit(data, { onProgress: hybridProgress(progress, (l) => context.debug(l)) });
        progress.stop();
        const fitSeconds = (performance.now() - started) / 1000;
        const manifest = await model.save(options.out, { metrics: { "fit seconds": fitSeconds } });
        const summary = {
          out: options.out,
          dataset: data.name,
          users: manifest.idMaps.users.length,
          items: manifest.idMaps.items.length,
          interactions: manifest.dataFingerprint.interactions,
          alpha: model.alphaRules,
          metrics: manifest.metrics,
          files: manifest.files.map((f) => ({ name: f.name, bytes: f.bytes })),
        };
        if (context.globals.json) {
          context.printJson(summary);
          return;
        }
        const metrics = Object.entries(manifest.metrics)
          .map(([name, v]) => `${name} ${v === null ? "–" : Number(v.toFixed(4))}`).join(", ");
        context.print([
          `saved ${options.out}: ${summary.users} users, ${summary.items} items, ` +
          `trained on ${summary.interactions} interactions in ${fitSeconds.toFixed(1)} s`,
          `  α users ${describeRule(model.alphaRules.users)}; items ${
            describeRule(model.alphaRules.items)
          }`,
          `  ${metrics}`,
        ].join("\n"));
      } finally {
        progress.stop();
      }
    });
}

function describeRule(rule: HybridRecommender["alphaRules"]["users"]): string {
  switch (rule.kind) {
    case "smooth":
      return `k/(k+n), k = ${rule.k}`;
    case "stages":
      return Object.entries(rule.alphas).map(([stage, a]) => `${stage} ${a}`).join(", ");
    case "buckets":
      return rule.lowerBounds.map((lo, b) => {
        const next = rule.lowerBounds[b + 1];
        const range = next === undefined
          ? `≥ ${lo}`
          : next - 1 === lo
          ? `${lo}`
          : `${lo}–${next - 1}`;
        return `n ${range}: ${rule.alphas[b]}`;
      }).join(", ");
  }
}
