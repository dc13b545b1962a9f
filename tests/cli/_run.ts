/** Runs cli.ts in a subprocess, as a user would, and collects its output. */
export const CLI = new URL("../../cli.ts", import.meta.url).pathname;
export const ML_100K = new URL("../../../shared/data/ml-100k", import.meta.url).pathname;
export const hasMl100k = await Deno.stat(ML_100K).then((s) => s.isDirectory, () => false);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function hwer(...args: string[]): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", CLI, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}
