// Serves the repository over 127.0.0.1 and runs cli.ts by URL with no
// deno.json, as `deno run -A https://…/cli.ts` would: the CLI and the model
// files module must need nothing but full npm: specifiers and relative imports.
import assert from "node:assert/strict";
import { hasMl100k, ML_100K } from "./_run.ts";

const repoRoot = new URL("../../", import.meta.url);

async function withRepoServer(fn: (origin: string) => Promise<void>): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      if (path.includes("..")) return new Response("forbidden", { status: 403 });
      try {
        const body = await Deno.readFile(new URL(`.${path}`, repoRoot));
        return new Response(body, {
          headers: { "content-type": "application/typescript; charset=utf-8" },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

async function run(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--no-lock", "-A", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test({
  name: "cli.ts runs from a URL, and src/model/manifest.ts saves and loads from a URL",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const outside = await Deno.makeTempDir({ prefix: "hwer-url-cli-" });
    try {
      await withRepoServer(async (origin) => {
        const version = await run(outside, `${origin}/cli.ts`, "--version");
        assert.equal(version.code, 0, version.stderr);
        assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);

        const bench = await run(outside, `${origin}/cli.ts`, "bench");
        assert.equal(bench.code, 1);
        assert.match(
          bench.stderr,
          /bench needs a checkout of the hwer repository .*this hwer does not run from files/,
        );

        if (hasMl100k) {
          const info = await run(outside, `${origin}/cli.ts`, "data", "info", ML_100K, "--json");
          assert.equal(info.code, 0, info.stderr);
          assert.equal(JSON.parse(info.stdout).interactions, 100000);
        }

        const script = `${outside}/save_model.ts`;
        await Deno.writeTextFile(
          script,
          [
            `import { loadModelFiles, saveModelFiles } from "${origin}/src/model/manifest.ts";`,
            `const dir = Deno.args[0];`,
            `await saveModelFiles(dir, {`,
            `  manifest: { config: {}, idMaps: { users: ["u"], items: ["i"] },`,
            `    dataFingerprint: { algorithm: "sha256", sha256: "", interactions: 0, users: 1, items: 1 } },`,
            `  tensors: { e: { shape: [1, 2], data: Float32Array.of(3, 4) } },`,
            `});`,
            `console.log(JSON.stringify([...(await loadModelFiles(dir)).tensors.e.data]));`,
          ].join("\n"),
        );
        const saved = await run(outside, script, `${outside}/model`);
        assert.equal(saved.code, 0, saved.stderr);
        assert.equal(saved.stdout.trim(), "[3,4]");
      });
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  },
});
