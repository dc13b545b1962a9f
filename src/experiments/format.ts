/**
 * The experiment table as markdown (one section per dataset and protocol)
 * and as JSON.
 *
 * @module
 */
import { PROTOCOL_DEFINITIONS } from "./protocols.ts";
import type { ExperimentReport, ExperimentRow } from "./runner.ts";

/**
 * The report as markdown: a heading with seed, mode and backend, then per
 * dataset and protocol a table with NDCG@k, P@k, R@k, AUC, RMSE ("—" where
 * the model predicts no ratings) and fit seconds. Columns are padded so the
 * text reads as a table too.
 *
 * @param report what {@linkcode runExperiments} returned
 * @returns the markdown text, ending in a newline
 * @example
 * ```ts
 * import { formatExperimentsMarkdown } from "./format.ts";
 * const md = formatExperimentsMarkdown({
 *   hwer: "0.1.0", seed: 42, quick: false, k: 10, backend: "cpu",
 *   rows: [{
 *     dataset: "toy", protocol: "stratified", split: "toy/stratified", model: "popularity",
 *     label: "Popularity", tag: "ref", fitSeconds: 0, evaluateSeconds: 0, testUsers: 1, testInteractions: 1,
 *     metrics: { "ndcg@10": 0.5, "precision@10": 0.1, "recall@10": 0.2, auc: 0.9, rmse: null },
 *   }],
 * });
 * console.log(md.split("\n").find((line) => line.startsWith("| Popularity")));
 * // "| Popularity | 0.5000  | 0.1000 | 0.2000 | 0.9000 | —    | 0.00  |"
 * ```
 */
export function formatExperimentsMarkdown(report: ExperimentReport): string {
  const k = report.k;
  const lines = [
    "# hwer experiments",
    "",
    `seed ${report.seed} · backend ${report.backend} · hwer ${report.hwer}` +
    (report.quick ? " · quick (CI-size epochs: not the figures to quote)" : ""),
  ];
  for (const [key, rows] of sections(report.rows)) {
    const [dataset, protocol] = key.split("\u0000");
    const title = PROTOCOL_DEFINITIONS[protocol as keyof typeof PROTOCOL_DEFINITIONS]?.title ??
      protocol;
    lines.push("", `## ${dataset}: ${title}`, "", `Split ${rows[0].split}.`, "");
    const header = ["model", `NDCG@${k}`, `P@${k}`, `R@${k}`, "AUC", "RMSE", "fit s"];
    const body = rows.map((r) => [
      rowLabel(r),
      number(r.metrics[`ndcg@${k}`]),
      number(r.metrics[`precision@${k}`]),
      number(r.metrics[`recall@${k}`]),
      number(r.metrics.auc),
      number(r.metrics.rmse),
      r.fitSeconds.toFixed(2),
    ]);
    lines.push(...table(header, body));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The report as pretty JSON; NaN and ±∞ become null.
 *
 * @param report what {@linkcode runExperiments} returned
 * @returns the JSON text, ending in a newline
 * @example
 * ```ts
 * import { formatExperimentsJson } from "./format.ts";
 * const text = formatExperimentsJson({ hwer: "0.1.0", seed: 1, quick: true, k: 10, backend: "cpu", rows: [] });
 * console.log(JSON.parse(text).seed); // 1
 * ```
 */
export function formatExperimentsJson(report: ExperimentReport): string {
  return `${
    JSON.stringify(
      report,
      (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
      2,
    )
  }\n`;
}

function rowLabel(row: ExperimentRow): string {
  return row.tag === "ref" ? row.label : `(${row.tag}) ${row.label}`;
}

/** Rows grouped by dataset and protocol, in first-seen order. */
function sections(rows: readonly ExperimentRow[]): Map<string, ExperimentRow[]> {
  const out = new Map<string, ExperimentRow[]>();
  for (const row of rows) {
    const key = `${row.dataset}\u0000${row.protocol}`;
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(row);
  }
  return out;
}

function number(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(4);
}

/** A padded markdown table: text left-aligned, numbers too (as `deno fmt` writes them). */
function table(header: readonly string[], body: readonly string[][]): string[] {
  const widths = header.map((h, c) => Math.max(3, h.length, ...body.map((r) => r[c].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
}
