// Housekeeping for the engine tests (runc, podman, containerd, skopeo, the
// image archives): what an engine needs (gate.ts decides whether it runs),
// private temporary directories, and undoing everything a test set up
// (mounts, cgroups, directories), in reverse order, even when a test fails
// half-way. Running and watching the processes themselves: processes.ts.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';
import { commands, LINUX, ROOT, skipNow, type Need } from './gate.ts';
import { run } from './processes.ts';

/** A private temporary directory under the system's temp dir. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `pausekit-${label}-`));
}

/** Unmount anything still mounted at or below `dir` (deepest first). */
export async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await run('umount', ['-l', point]);
}

/**
 * Remove a cgroup directory the test created (`/pausekit-test-...`) in
 * every hierarchy, children first. rmdir only succeeds on empty cgroups,
 * so nothing that still holds a process is touched.
 */
export function removeCgroup(path: string): void {
  if (!existsSync('/sys/fs/cgroup')) return;
  const roots = readdirSync('/sys/fs/cgroup', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join('/sys/fs/cgroup', entry.name));
  roots.push('/sys/fs/cgroup');
  const removeTree = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) removeTree(join(dir, entry.name));
    try {
      rmdirSync(dir);
    } catch {
      // still in use, or not ours: leave it
    }
  };
  for (const root of roots) {
    const dir = join(root, path);
    if (existsSync(dir) && dir !== root) removeTree(dir);
  }
}

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
