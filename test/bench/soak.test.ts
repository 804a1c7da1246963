// `pausekit soak`, short form: 20,000 orphans per design in waves of every
// kind, then a 2 s signal storm with orphans still coming. Every promise
// holds for every design, every figure is reported, and nothing is left
// behind. The soak is no rubber stamp: a pause that leaks zombies and one
// that exits with the wrong code are each caught (mutant builds).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { DESIGNS } from '../../src/scenario/types.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_DIR } from '../../src/engines/kernel/engine.ts';
import { soakUnavailable, type SoakResult } from '../../src/bench/soak.ts';
import { CLI, processesTagged, taggedEnv } from '../support/bench.ts';
import { cannotRun, need } from '../support/gate.ts';

/** Runs `pausekit soak` with a JSON file; its exit code, output and result. */
function soak(dir: string, name: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; result: SoakResult }> {
  const file = join(dir, `${name}.json`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...CLI, 'soak', ...args, '--json', file], { env, maxBuffer: 1 << 24, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1;
      try {
        resolve({ code, stdout, stderr, result: JSON.parse(readFileSync(file, 'utf8')) as SoakResult });
      } catch {
        reject(new Error(`soak ${args.join(' ')} wrote no JSON (exit ${code}):\n${stderr}${stdout}`));
      }
    });
  });
}

describe.skipIf(cannotRun('the soak tests', need('the soak program', soakUnavailable)))('pausekit soak (short form)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pausekit-soak-'));
  const { env, tag } = taggedEnv();
  let run: Awaited<ReturnType<typeof soak>>;

  beforeAll(async () => {
    run = await soak(dir, 'short', ['--orphans', '20000', '--waves', '8', '--storm-seconds', '2', '--storm-senders', '4', '--seed', '11'], env);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds every check for every design and exits 0', () => {
    const failed = run.result.designs.flatMap((d) => d.checks.filter((c) => !c.ok).map((c) => `${d.design}: ${c.what}: ${c.detail}`));
    expect(failed).toEqual([]);
    expect(run.result.designs.map((d) => d.design)).toEqual([...DESIGNS]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('soak: every check held');
  });

  it('puts 20,000 orphans of every kind through each pause, and more during the storm, leaving no zombie', () => {
    for (const d of run.result.designs) {
      expect(d.summary.orphans).toBe(20_000);
      expect(new Set(d.waves.map((w) => w.kind))).toEqual(new Set(['burst', 'zombies', 'chain', 'stopped']));
      expect(d.summary.stormOrphans).toBeGreaterThan(0);
      expect(d.waves.every((w) => w.childrenLeft === 0 && w.zombiesLeft === 0)).toBe(true);
    }
  });

  it('reports orphans/s, CPU per orphan, idle RSS and the storm\'s signal rate', () => {
    for (const d of run.result.designs) {
      expect(d.summary.orphansPerSecond).toBeGreaterThan(0);
      // pause runs for its orphans, except autoreap's: the kernel reaps, pause never wakes.
      if (d.design === 'autoreap') expect(d.summary.schedCpuPerOrphanNs).toBe(0);
      else expect(d.summary.schedCpuPerOrphanNs).toBeGreaterThan(0);
      expect(d.summary.cpuPerOrphanNs).toBeGreaterThanOrEqual(0);
      expect(d.summary.rssFirstKb).toBeGreaterThan(0);
      expect(d.summary.rssLastKb).toBeLessThanOrEqual(d.summary.rssFirstKb);
      expect(d.summary.signalsPerSecond).toBeGreaterThanOrEqual(100_000);
      expect(d.exit).toMatchObject({ status: 0, stderr: 'Shutting down, got signal: Terminated\n' });
    }
    expect(run.stdout).toMatch(/sigwait\s+20,000\s+8\s+0\s/);
    expect(run.stdout).toMatch(/handlers\s+20,000\s+8\s+0\s/);
  });

  it('leaves no process behind', () => {
    expect(processesTagged(tag)).toEqual([]);
  });

  it('catches a pause that reaps one child per SIGCHLD: zombies are left after a burst', async () => {
    const leaky = await soak(dir, 'reap-once', ['--orphans', '3000', '--waves', '1', '--storm-seconds', '0', '--design', 'sigwait',
      '--pause', join(NATIVE_DIR, 'mutants', 'pause-sigwait-REAP_ONCE'), '--reap-timeout-ms', '500', '--seed', '1'], env);
    expect(leaky.code).toBe(1);
    const check = leaky.result.designs[0]!.checks.find((c) => c.what === 'no zombie left at the end of any wave')!;
    expect(check.ok).toBe(false);
    expect(leaky.result.designs[0]!.summary.zombiesLeft).toBeGreaterThan(0);
    expect(leaky.stdout).toContain('FAIL  sigwait: no zombie left at the end of any wave');
  });

  it('catches a pause that exits 1 on SIGTERM', async () => {
    const wrong = await soak(dir, 'wrong-code', ['--orphans', '100', '--waves', '1', '--storm-seconds', '0', '--design', 'handlers',
      '--pause', join(NATIVE_DIR, 'mutants', 'pause-handlers-WRONG_CODE'), '--seed', '1'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.result.designs[0]!.checks.filter((c) => !c.ok).map((c) => c.what)).toEqual(['SIGTERM ends it with its message and exit 0']);
    expect(wrong.result.designs[0]!.exit?.status).toBe(256);
  });
});
