// Serves the repository over 127.0.0.1 and runs a script that lives outside
// it, with no deno.json, importing mod.ts by URL.
import assert from "node:assert/strict";

const repoRoot = new URL("../", import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript; charset=utf-8",
  ".js": "application/javascript; charset=utf-8",
  ".json": "application/json",
};

Deno.test({
  name: "mod.ts imports from a URL into a script with no deno.json and computes a top-k",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const requested: string[] = [];
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (request) => {
        const path = decodeURIComponent(new URL(request.url).pathname);
        requested.push(path);
        if (path.includes("..")) return new Response("forbidden", { status: 403 });
        try {
          const body = await Deno.readFile(new URL(`.${path}`, repoRoot));
          const extension = path.slice(path.lastIndexOf("."));
          return new Response(body, {
            headers: { "content-type": CONTENT_TYPES[extension] ?? "text/plain" },
          });
        } catch {
          return new Response("not found", { status: 404 });
        }
      },
    );
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const outside = await Deno.makeTempDir({ prefix: "hwer-url-import-" });
    try {
      const script = `${outside}/use_hwer.ts`;
      await Deno.writeTextFile(
        script,
        [
          `import { selectBackend } from "${origin}/mod.ts";`,
          `const { backend } = await selectBackend("cpu");`,
          `const items = backend.upload({ rows: 3, cols: 2, data: new Float32Array([1, 0, 0, 1, 0.8, 0.6]) });`,
          `const user = backend.upload({ rows: 1, cols: 2, data: new Float32Array([0.1, 1]) });`,
          `const top = await backend.cosineTopK(user, items, { k: 2 });`,
          `console.log(JSON.stringify(Array.from(top.indices)));`,
        ].join("\n"),
      );
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-config",
          "--no-lock",
          `--allow-import=127.0.0.1:${server.addr.port}`,
          script,
        ],
        cwd: outside,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(output.stdout).trim();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, `script failed:\n${stderr}`);
      assert.equal(stdout.split("\n").at(-1), "[1,2]");
      assert.ok(requested.includes("/mod.ts"), "mod.ts was fetched over HTTP");
      assert.ok(!requested.some((p) => p.endsWith(".wgsl")), "no .wgsl file is read at run time");
    } finally {
      await server.shutdown();
      await Deno.remove(outside, { recursive: true });
    }
  },
});
