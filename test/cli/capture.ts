// Runs a command module in this process and captures what it prints: the
// CLI tests that need many runs (every example, every --help) go faster
// without a process each.
import { vi } from 'vitest';

/** The exit code and stdout of `module.run(args)`; stderr is captured too. */
export async function capture(module: { run(args: string[]): Promise<number> }, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await module.run(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
