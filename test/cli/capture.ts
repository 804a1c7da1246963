// Runs a command module in this process and captures what it prints: the
// CLI tests that need many runs (every example, every --help) go faster
// without a process each.
import { vi } from 'vitest';

/** What a command module exports. */
export interface CommandModule {
  run(args: string[]): Promise<number>;
}

/** Every command's module, by name, as src/cli/main.ts loads them. */
export const COMMAND_MODULES: Record<string, () => Promise<CommandModule>> = {
  run: () => import('../../src/cli/run.ts'),
  diff: () => import('../../src/cli/diff.ts'),
  explore: () => import('../../src/cli/explore.ts'),
  examples: () => import('../../src/cli/examples.ts'),
  which: () => import('../../src/cli/which.ts'),
  bench: () => import('../../src/cli/bench.ts'),
  soak: () => import('../../src/cli/soak.ts'),
  image: () => import('../../src/cli/image.ts'),
};

/** The exit code and stdout of `module.run(args)`; stderr is captured too. */
export async function capture(module: CommandModule, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
