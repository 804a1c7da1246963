// Housekeeping for the engine tests (runc, podman, containerd, skopeo, the
// image archives): whether an engine can run here, private temporary
// directories, and undoing everything a test set up (mounts, cgroups,
// directories), in reverse order, even when a test fails half-way.
// Running and watching the processes themselves: processes.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';

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

/** Is `command` on PATH? */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/**
 * Whether an engine test can run here. CI sets PAUSEKIT_REQUIRE_ENGINES=1,
 * which turns "cannot run" into a failure instead of a skip.
 */
export type Availability = { ok: true } | { ok: false; reason: string };

export function needs(commands: string[]): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: 'engine tests need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'engine tests need root' };
  const missing = commands.filter((command) => !onPath(command) && !existsSync(command));
  if (missing.length > 0) return { ok: false, reason: `not installed: ${missing.join(', ')}` };
  return { ok: true };
}

export const ENGINES_REQUIRED = process.env.PAUSEKIT_REQUIRE_ENGINES === '1';

/** The describe() title suffix and the warning for a skipped engine test. */
export function skipNote(engine: string, availability: Availability): string {
  if (availability.ok) return '';
  const note = `skipped: ${availability.reason}`;
  console.warn(`${engine} tests ${note}`);
  if (ENGINES_REQUIRED) throw new Error(`PAUSEKIT_REQUIRE_ENGINES=1 but the ${engine} tests cannot run: ${availability.reason}`);
  return ` (${note})`;
}

/** The engine a test needs, or the test is skipped with the printed reason. */
export function readyOrSkip<T>(ctx: TestContext, engine: T | undefined, reason: string): T {
  if (engine === undefined) {
    console.warn(`skipped: ${reason}`);
    return ctx.skip(reason);
  }
  return engine;
}
