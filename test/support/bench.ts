// Shared by the benchmark tests: how to run the CLI, when the benchmark can
// run here, and which processes of one run are still alive.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HARNESS, ROOT } from '../../src/bench/programs.ts';
import { file, ROOT as AS_ROOT, type Need } from './gate.ts';

/** node arguments that run the pausekit CLI from the checkout. */
export const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];

/** What the benchmark needs: root (the harness starts programs as PID 1 of new PID namespaces) and the harness, built. */
export const BENCH: Need[] = [AS_ROOT, file(HARNESS)];

/**
 * An environment that marks every process of one run: the harness and all
 * it starts inherit it, so the run's leftovers can be found even once
 * orphaned, and no other run's processes are mistaken for them.
 */
export function taggedEnv(): { env: NodeJS.ProcessEnv; tag: string } {
  const tag = `PAUSEKIT_BENCH_TEST=${process.pid}-${Math.random().toString(36).slice(2)}`;
  const [key, value] = tag.split('=') as [string, string];
  return { env: { ...process.env, [key]: value }, tag };
}

/** Processes (other than this one) whose environment carries the tag. */
export function processesTagged(tag: string): string[] {
  const left: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(tag)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      left.push(`${entry} ${stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)} ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch {
      // gone meanwhile
    }
  }
  return left;
}
