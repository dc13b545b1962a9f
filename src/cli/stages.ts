/**
 * Progress of multi-stage training as bars, kept free of the terminal
 * library so library code (the experiments runner) can use it without
 * loading it.
 *
 * @module
 */
import type { ProgressReporter } from "./progress.ts";

/**
 * What a multi-stage training reports (the shape of `HybridProgress`): the
 * stage, and either an epoch of it or a note.
 *
 * @example
 * ```ts
 * import type { StageReport } from "./progress.ts";
 * const r: StageReport = { stage: "triplet", epoch: 2, epochs: 100, loss: 0.3 };
 * console.log(r.stage); // "triplet"
 * ```
 */
export interface StageReport {
  /** The stage's name. */
  readonly stage: string;
  /** 1-based epoch within the stage. */
  readonly epoch?: number;
  /** Epochs of the stage. */
  readonly epochs?: number;
  /** The stage's loss. */
  readonly loss?: number;
  /** A note (no epoch), e.g. a fitted rule. */
  readonly message?: string;
}

/**
 * Draws a multi-stage training as one bar per stage run: a new bar when the
 * stage changes or starts over (items, then users; the refit), not on each of
 * the several reports a stage may make within one epoch (fastText does).
 * Notes go to `onMessage`, told whether they open a new stage.
 *
 * @param reporter where bars go
 * @param label a stage's bar label
 * @param onMessage called with each note
 * @returns the callback to hand to the training
 * @example
 * ```ts
 * import { silentProgress } from "./progress.ts";
 * import { stageProgress } from "./stages.ts";
 * const onProgress = stageProgress(silentProgress, (stage) => `${stage} epochs`);
 * onProgress({ stage: "text", epoch: 1, epochs: 5, loss: 2.1 });
 * onProgress({ stage: "text", epoch: 1, epochs: 5, loss: 1.9 }); // same bar
 * ```
 */
export function stageProgress(
  reporter: ProgressReporter,
  label: (stage: string) => string,
  onMessage: (report: StageReport, newStage: boolean) => void = () => {},
): (report: StageReport) => void {
  let stage = "";
  let lastEpoch = 0;
  return (p) => {
    if (p.epoch === undefined || p.epochs === undefined) {
      if (p.message === undefined) return;
      const newStage = p.stage !== stage;
      stage = p.stage;
      lastEpoch = 0;
      onMessage(p, newStage);
      return;
    }
    if (p.stage !== stage || p.epoch < lastEpoch) reporter.start(p.epochs, label(p.stage));
    stage = p.stage;
    lastEpoch = p.epoch;
    reporter.update(p.epoch, {
      epoch: p.epoch,
      ...(p.loss !== undefined && Number.isFinite(p.loss) ? { loss: p.loss } : {}),
    });
  };
}
