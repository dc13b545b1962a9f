// Shader specialisation: the one place where host values enter WGSL text.

/**
 * Replaces the value of `const NAME: u32 = …;` declarations in WGSL, so the
 * .wgsl files stay valid WGSL with defaults. Throws when a name is missing.
 */
export function specializeWgsl(code: string, constants: Record<string, number>): string {
  let out = code;
  for (const [name, value] of Object.entries(constants)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`WGSL constant ${name} must be a u32, got ${value}`);
    }
    const pattern = new RegExp(`(const\\s+${name}\\s*:\\s*u32\\s*=\\s*)[^;]+;`);
    if (!pattern.test(out)) {
      throw new Error(`WGSL constant ${name} is not declared as \`const ${name}: u32 = …;\``);
    }
    out = out.replace(pattern, `$1${value}u;`);
  }
  return out;
}
