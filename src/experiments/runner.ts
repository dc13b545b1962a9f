/**
 * Runs the experiment table: every chosen model on every chosen protocol of
 * every dataset, fitted on the protocol's train split (timed) and scored with
 * NDCG@k, P@k, R@k, AUC and, where the model predicts ratings, RMSE.
 * Everything random is seeded from one seed, so a run is reproducible.
 *
 * @module
 */
import type { Backend } from "../compute/backend.ts";
import type { Dataset, Split } from "../data/types.ts";
import type { FitOptions, Recommender } from "../eval/recommender.ts";
import { evaluate, type MetricName } from "../eval/runner.ts";
import { HWER_VERSION } from "../model/manifest.ts";
import { type HybridFitOptions, HybridRecommender } from "../model/hybrid.ts";
import type { ProgressReporter } from "../cli/progress.ts";
import { stageProgress } from "../cli/stages.ts";
import {
  EXPERIMENT_MODEL_IDS,
  type ExperimentDefinition,
  experimentModel,
  type ExperimentModelId,
} from "./models.ts";
import {
  defaultExperimentProtocols,
  EXPERIMENT_PROTOCOLS,
  type ExperimentProtocol,
  PROTOCOL_DEFINITIONS,
} from "./protocols.ts";

/**
 * A dataset of the table, with the protocols it gets.
 *
 * @example
 * ```ts
 * import type { ExperimentDataset } from "./runner.ts";
 * import { syntheticMovieDataset } from "./synthetic.ts";
 * const d: ExperimentDataset = { name: "toy", dataset: syntheticMovieDataset({ users: 20, items: 30 }) };
 * console.log(d.name); // "toy"
 * ```
 */
export interface ExperimentDataset {
  /** Section name (default: the dataset's own name). */
  readonly name?: string;
  /** The whole dataset; each protocol splits it. */
  readonly dataset: Dataset;
  /** Protocols for this dataset (default: `protocols` of the run, else {@linkcode defaultExperimentProtocols}). */
  readonly protocols?: readonly ExperimentProtocol[];
}

/**
 * Options of {@linkcode runExperiments}.
 *
 * @example
 * ```ts
 * import type { RunExperimentsOptions } from "./runner.ts";
 * import { syntheticMovieDataset } from "./synthetic.ts";
 * const o: RunExperimentsOptions = {
 *   datasets: [syntheticMovieDataset({ users: 20, items: 30 })],
 *   models: ["popularity"],
 *   quick: true,
 * };
 * console.log(o.models); // ["popularity"]
 * ```
 */
export interface RunExperimentsOptions {
  /** The datasets, in table order. */
  readonly datasets: readonly (Dataset | ExperimentDataset)[];
  /** Protocols for every dataset that does not name its own (default: {@linkcode defaultExperimentProtocols}). */
  readonly protocols?: readonly ExperimentProtocol[];
  /** Models, in the order given (default: all of {@linkcode EXPERIMENT_MODEL_IDS}). */
  readonly models?: readonly ExperimentModelId[];
  /** Seed of the splits and the models. Default 42. */
  readonly seed?: number;
  /** Few epochs everywhere (CI size). Default false. */
  readonly quick?: boolean;
  /** Top-k cut-off. Default 10. */
  readonly k?: number;
  /** Where content and hybrid models train (default: their own CPU backends). */
  readonly backend?: Backend;
  /** Bars for each fit and its scoring (default: none). */
  readonly progress?: ProgressReporter;
  /**
   * Called after each row.
   *
   * @param row the finished row
   * @param index its 0-based position
   * @param total rows in the run
   */
  readonly onRow?: (row: ExperimentRow, index: number, total: number) => void;
}

/**
 * One row of the table: a model on one protocol of one dataset.
 *
 * @example
 * ```ts
 * import type { ExperimentRow } from "./runner.ts";
 * const row: ExperimentRow = {
 *   dataset: "ml-100k", protocol: "stratified", split: "ml-100k/stratified-user-0.75-seed42",
 *   model: "popularity", label: "Popularity", tag: "ref",
 *   metrics: { "ndcg@10": 0.25, "precision@10": 0.23, "recall@10": 0.11, auc: 0.86, rmse: null },
 *   fitSeconds: 0, evaluateSeconds: 0.1, testUsers: 943, testInteractions: 25000,
 * };
 * console.log(row.metrics.rmse); // null
 * ```
 */
export interface ExperimentRow {
  /** Dataset section name. */
  readonly dataset: string;
  /** Protocol id. */
  readonly protocol: ExperimentProtocol;
  /** The split's full name (dataset, kind, ratio, seed). */
  readonly split: string;
  /** Model id. */
  readonly model: ExperimentModelId;
  /** Row label. */
  readonly label: string;
  /** The seed's experiment letter, or "ref". */
  readonly tag: ExperimentDefinition["tag"];
  /** `ndcg@k`, `precision@k`, `recall@k`, `auc`, and `rmse` (null when the model predicts no ratings). */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Seconds spent in fit. */
  readonly fitSeconds: number;
  /** Seconds spent scoring. */
  readonly evaluateSeconds: number;
  /** Users with test interactions. */
  readonly testUsers: number;
  /** Test interactions. */
  readonly testInteractions: number;
}

/**
 * What {@linkcode runExperiments} returns; plain data, safe for JSON.
 *
 * @example
 * ```ts
 * import type { ExperimentReport } from "./runner.ts";
 * const r: ExperimentReport = { hwer: "0.1.0", seed: 42, quick: true, k: 10, backend: "cpu", rows: [] };
 * console.log(r.rows.length); // 0
 * ```
 */
export interface ExperimentReport {
  /** hwer version that produced it. */
  readonly hwer: string;
  /** The seed. */
  readonly seed: number;
  /** Whether quick (CI-size) settings were used. */
  readonly quick: boolean;
  /** Top-k cut-off. */
  readonly k: number;
  /** The backend content and hybrid models trained on ("cpu" unless one was given). */
  readonly backend: string;
  /** The rows, dataset by dataset, protocol by protocol, model by model. */
  readonly rows: readonly ExperimentRow[];
}

/** Ranking metrics of every row, in column order. */
const RANKING: readonly MetricName[] = ["ndcg", "precision", "recall", "auc"];

/**
 * Runs the table. Splits are made once per dataset and protocol and shared by
 * the models; each model is fitted (timed) and scored in turn.
 *
 * @param options datasets, protocols, models, seed, quick mode, backend, progress
 * @returns the report
 * @throws {RangeError} for an unknown model or protocol, no datasets, or a bad seed or k
 * @example
 * ```ts
 * import { runExperiments } from "./runner.ts";
 * import { syntheticMovieDataset } from "./synthetic.ts";
 * const report = await runExperiments({
 *   datasets: [syntheticMovieDataset({ users: 60, items: 80, seed: 1 })],
 *   models: ["random", "popularity"],
 *   protocols: ["stratified"],
 * });
 * console.log(report.rows.map((r) => r.label)); // ["Random", "Popularity"]
 * ```
 */
export async function runExperiments(options: RunExperimentsOptions): Promise<ExperimentReport> {
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (options.datasets.length === 0) throw new RangeError("runExperiments needs a dataset");
  const models = (options.models ?? EXPERIMENT_MODEL_IDS).map((id) => experimentModel(id));
  if (models.length === 0) throw new RangeError("runExperiments needs a model");
  for (const p of options.protocols ?? []) checkProtocol(p);
  const quick = options.quick ?? false;
  const progress = options.progress;

  const plan = options.datasets.map((entry) => {
    const { dataset, name, protocols } = "dataset" in entry
      ? entry
      : { dataset: entry, name: undefined, protocols: undefined };
    const chosen = protocols ?? options.protocols ?? defaultExperimentProtocols(dataset.name);
    for (const p of chosen) checkProtocol(p);
    return { dataset, name: name ?? dataset.name, protocols: [...chosen] };
  });
  const total = plan.reduce((n, d) => n + d.protocols.length, 0) * models.length;

  const rows: ExperimentRow[] = [];
  for (const { dataset, name, protocols } of plan) {
    for (const protocolId of protocols) {
      const protocol = PROTOCOL_DEFINITIONS[protocolId];
      const split = protocol.split(dataset, seed);
      for (const definition of models) {
        const label = `[${rows.length + 1}/${total}] ${name}/${protocolId} ${definition.label}`;
        const model = definition.create({
          seed,
          quick,
          ...(options.backend ? { backend: options.backend } : {}),
        });
        let fitSeconds: number;
        try {
          const started = performance.now();
          await model.fit(split.train, fitProgress(model, progress, label));
          fitSeconds = (performance.now() - started) / 1000;
          progress?.start(0, `${label}: scoring`);
          const row = await scoreRow(model, split, protocol.candidates, k, seed);
          rows.push({
            dataset: name,
            protocol: protocolId,
            split: split.name,
            model: definition.id,
            label: definition.label,
            tag: definition.tag,
            fitSeconds,
            ...row,
          });
        } finally {
          progress?.stop();
        }
        options.onRow?.(rows[rows.length - 1], rows.length - 1, total);
      }
    }
  }
  return {
    hwer: HWER_VERSION,
    seed,
    quick,
    k,
    backend: options.backend?.name ?? "cpu",
    rows,
  };
}

async function scoreRow(
  model: Recommender,
  split: Split,
  candidates: "all" | "test-items",
  k: number,
  seed: number,
): Promise<Pick<ExperimentRow, "metrics" | "evaluateSeconds" | "testUsers" | "testInteractions">> {
  const rates = typeof model.predict === "function" && split.test.interactions.rating !== null &&
    split.train.interactions.rating !== null;
  const result = await evaluate(model, split, {
    fit: false,
    k,
    seed,
    candidates,
    metrics: rates ? ["rmse", ...RANKING] : RANKING,
  });
  const m = result.metrics;
  return {
    metrics: {
      [`ndcg@${k}`]: m[`ndcg@${k}`],
      [`precision@${k}`]: m[`precision@${k}`],
      [`recall@${k}`]: m[`recall@${k}`],
      auc: m.auc,
      rmse: rates ? m.rmse : null,
    },
    evaluateSeconds: result.evaluateSeconds,
    testUsers: result.testUsers,
    testInteractions: result.testInteractions,
  };
}

/**
 * Fit options that draw the model's progress: a bar per stage of a hybrid
 * (content epochs, triplet epochs, α search), a bar of epochs otherwise.
 */
function fitProgress(
  model: Recommender,
  reporter: ProgressReporter | undefined,
  label: string,
): HybridFitOptions {
  if (!reporter) return {};
  if (model instanceof HybridRecommender) {
    return {
      onProgress: stageProgress(reporter, (stage) => `${label}: ${stage} epochs`, (p, newStage) => {
        if (newStage && p.stage === "alpha") reporter.start(0, `${label}: fitting α`);
      }),
    };
  }
  const draw = stageProgress(reporter, () => `${label}: epochs`);
  const options: FitOptions = {
    onEpoch: (epoch, epochs) => draw({ stage: "epochs", epoch, epochs }),
  };
  return options;
}

function checkProtocol(id: string): void {
  if (!(EXPERIMENT_PROTOCOLS as readonly string[]).includes(id)) {
    throw new RangeError(
      `unknown protocol ${JSON.stringify(id)}: use ${EXPERIMENT_PROTOCOLS.join(", ")}`,
    );
  }
}
