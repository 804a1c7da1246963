// Housekeeping for the engine tests (runc, podman, containerd, skopeo, the
// image archives): what an engine needs (gate.ts decides whether it runs),
// private temporary directories, and undoing everything a test set up
// (mounts, cgroups, directories), in reverse order, even when a test fails
// half-way. Running and watching the processes themselves: processes.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';
import { commands, LINUX, ROOT, skipNow, type Need } from './gate.ts';

/** A private temporary directory under the system's temp dir. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `pausekit-${label}-`));
}

// Unmounting what a test mounted, and removing the cgroups it made (rmdir,
// children first, so nothing that still holds a process is touched): the
// same clean-up the CRI set-up does, from src/cri/host.ts.
export { removeCgroups as removeCgroup, unmountUnder } from '../../src/cri/host.ts';

/** Undo steps, run last-in first-out; every step runs even if one fails. */
export class Cleanup {
  private readonly steps: { label: string; step: () => unknown }[] = [];

  add(label: string, step: () => unknown): void {
    this.steps.push({ label, step });
  }

  async run(): Promise<void> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const { label, step } = this.steps.pop()!;
      try {
        await step();
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message}`);
      }
    }
    if (failures.length > 0) console.warn(`cleanup problems:\n  ${failures.join('\n  ')}`);
  }
}

/** rm -rf, for Cleanup steps. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * What an engine test needs: Linux, root, and these commands on PATH (or
 * paths that exist).
 */
export function needs(commandNames: string[]): Need[] {
  return [LINUX, ROOT, commands(commandNames)];
}

/** The engine set-up gave a test, or (gate.ts) the test is skipped with the reason set-up found, or fails in CI. */
export function readyOrSkip<T>(ctx: TestContext, engine: T | undefined, reason: string): T {
  return engine ?? skipNow(ctx, 'this engine test', reason);
}
