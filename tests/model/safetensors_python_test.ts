/**
 * Cross-checks hwer's safetensors files with Python: plain json + struct +
 * numpy.frombuffer (no safetensors package needed), and the safetensors
 * package itself where it is installed. Skipped, with a message, when
 * python3 or numpy is missing.
 */
import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors } from "../../src/model/safetensors.ts";

async function python(script: string, ...args: string[]) {
  const out = await new Deno.Command("python3", {
    args: ["-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    ok: out.success,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

async function probe(module: string): Promise<boolean> {
  try {
    return (await python(`import ${module}`)).ok;
  } catch {
    return false; // no python3 at all
  }
}

const hasNumpy = await probe("numpy");
const hasSafetensors = hasNumpy && await probe("safetensors.numpy");
if (!hasNumpy) {
  console.log("safetensors_python_test: python3 with numpy not found, skipping the Python checks");
}

// Reads a safetensors file with nothing but the specification, json, struct and numpy.
const READ_WITH_NUMPY = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n].decode("utf-8"))
data = raw[8 + n:]
kinds = {"F64": "<f8", "F32": "<f4", "I64": "<i8", "U64": "<u8", "I32": "<i4", "U32": "<u4",
         "I16": "<i2", "U16": "<u2", "I8": "i1", "U8": "u1"}
out = {"metadata": header.pop("__metadata__", {}), "headerLength": n, "tensors": {}}
for name, info in header.items():
    begin, end = info["data_offsets"]
    array = np.frombuffer(data[begin:end], dtype=kinds[info["dtype"]]).reshape(info["shape"])
    values = [str(v) for v in array.ravel()] if info["dtype"] in ("I64", "U64") else array.ravel().tolist()
    out["tensors"][name] = {"dtype": info["dtype"], "shape": list(array.shape), "values": values}
print(json.dumps(out))
`;

Deno.test({
  name: "encodeSafetensors() output is read by numpy with json + struct",
  ignore: !hasNumpy,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hwer-py-" });
    try {
      const path = `${dir}/model.safetensors`;
      const itemEmbeddings = Float32Array.from({ length: 5 * 3 }, (_, i) => Math.fround(i / 7 - 1));
      await Deno.writeFile(
        path,
        encodeSafetensors({
          "item.embedding": { shape: [5, 3], data: itemEmbeddings },
          "user.ids": { shape: [4], data: Int32Array.of(3, -1, 0, 2 ** 31 - 1) },
          "alpha": { shape: [2, 2], data: Float64Array.of(0.1, 0.2, 0.3, 0.4) },
          "counts": { shape: [3], data: Uint32Array.of(0, 7, 2 ** 32 - 1) },
          "big": { shape: [2], data: BigInt64Array.of(-(2n ** 62n), 5n) },
          "flags": { shape: [3], data: Uint8Array.of(0, 1, 255) },
        }, { format: "hwer", formatVersion: "1" }),
      );
      const result = await python(READ_WITH_NUMPY, path);
      assert.ok(result.ok, result.stderr);
      const parsed = JSON.parse(result.stdout);
      assert.deepEqual(parsed.metadata, { format: "hwer", formatVersion: "1" });
      assert.equal(parsed.headerLength % 8, 0);
      const t = parsed.tensors;
      assert.deepEqual(t["item.embedding"].shape, [5, 3]);
      assert.deepEqual(t["item.embedding"].values, [...itemEmbeddings]);
      assert.deepEqual(t["user.ids"], {
        dtype: "I32",
        shape: [4],
        values: [3, -1, 0, 2 ** 31 - 1],
      });
      assert.deepEqual(t.alpha, { dtype: "F64", shape: [2, 2], values: [0.1, 0.2, 0.3, 0.4] });
      assert.deepEqual(t.counts.values, [0, 7, 2 ** 32 - 1]);
      assert.deepEqual(t.big.values, [String(-(2n ** 62n)), "5"]);
      assert.deepEqual(t.flags.values, [0, 1, 255]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "decodeSafetensors() reads a file numpy wrote by the specification",
  ignore: !hasNumpy,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hwer-py-" });
    try {
      const path = `${dir}/from_python.safetensors`;
      // Unpadded header, Python's key order: what a minimal third-party writer produces.
      const write = `
import json, struct, sys
import numpy as np
a = np.arange(6, dtype="<f4").reshape(2, 3) / 4
b = np.array([-5, 6], dtype="<i8")
header = {"__metadata__": {"by": "numpy"},
          "b": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]},
          "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [16, 40]}}
h = json.dumps(header).encode("utf-8")
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b.tobytes() + a.tobytes())
`;
      const result = await python(write, path);
      assert.ok(result.ok, result.stderr);
      const { tensors, metadata } = decodeSafetensors(await Deno.readFile(path), path);
      assert.deepEqual(metadata, { by: "numpy" });
      assert.deepEqual(tensors.a.shape, [2, 3]);
      assert.deepEqual([...tensors.a.data], [0, 0.25, 0.5, 0.75, 1, 1.25]);
      assert.deepEqual([...tensors.b.data], [-5n, 6n]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "encodeSafetensors() output loads with the safetensors package",
  ignore: !hasSafetensors,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hwer-py-" });
    try {
      const path = `${dir}/model.safetensors`;
      await Deno.writeFile(
        path,
        encodeSafetensors({ e: { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } }, { a: "b" }),
      );
      const script = `
import json, sys
from safetensors.numpy import load_file
t = load_file(sys.argv[1])
print(json.dumps({k: v.tolist() for k, v in t.items()}))
`;
      const result = await python(script, path);
      assert.ok(result.ok, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), { e: [[1, 2], [3, 4]] });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
