// The targets `pausekit bench` states are the ones it judges, and a missed
// one shows in the exit status: judged on made-up figures at and around
// each limit, then end to end, on the footprint part (one sample per
// program, a few seconds) with a pause that misses its size target (the
// same pause.c built with static glibc, put where the default build goes).
// The saved results take only a full run on a machine that was not loaded.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, SAVED_RESULTS, pauseWithLibc } from '../../src/bench/build.ts';
import type { BenchResult, LatencySummary } from '../../src/bench/result.ts';
import { peakLoad, savingRefusal } from '../../src/bench/run.ts';
import { TARGETS, judge } from '../../src/bench/targets.ts';
import { BENCH, CLI } from '../support/bench.ts';
import { cannotRun } from '../support/gate.ts';

const DIR = mkdtempSync(join(tmpdir(), 'pausekit-bench-targets-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** A latency row with the given ratios to the floor. */
function row(id: string, medianRatio: number, p99Ratio = medianRatio): LatencySummary {
  return { id, label: id, samples: 1000, medianNs: 1e5 * medianRatio, p99Ns: 4e5 * p99Ratio, medianRatio, p99Ratio, statuses: ['exit 0'], errors: [] };
}

/** A run with only the SIGTERM → exit as PID 1 table (and the plain one empty). */
function latencyRun(rows: LatencySummary[], kinds: Record<string, 'peer' | 'reference'> = {}): BenchResult {
  return {
    version: 1, started: '2026-12-07T00:00:00.000Z', quick: false, realtime: false, seed: 1,
    machine: { kernel: 'test', cpus: 2, cpuModel: 'test', node: 'v20', loadavgStart: [0.5, 0.5, 0.5], loadavgEnd: [0.5, 0.5, 0.5] },
    programs: rows.map((r) => ({ id: r.id, label: r.id, kind: kinds[r.id] ?? (r.id === 'floor' ? 'floor' : 'pausekit'), argv: [] })),
    skipped: [], targets: [], loadavgBefore: { latency: [0.5, 0.5, 0.5] },
    latency: { rounds: 1000, summary: { pid1: rows, plain: [] }, samples: { pid1: {}, plain: {} } },
  };
}

const verdict = (result: BenchResult, what: string, target: string): boolean | null | undefined =>
  judge(result).find((t) => t.what === what && t.target === target)?.met;

describe('the targets', () => {
  test('SIGTERM → exit as PID 1: pause within 1.03× the floor at the median and at p99, and not a hair more', () => {
    const median = ['SIGTERM → exit as PID 1, pause, median', '≤ 1.03× floor'] as const;
    const p99 = ['SIGTERM → exit as PID 1, pause, p99', '≤ 1.03× floor'] as const;
    expect(verdict(latencyRun([row('floor', 1), row('pause', 1.03, 1.03)]), ...median)).toBe(true);
    expect(verdict(latencyRun([row('floor', 1), row('pause', 1.03, 1.03)]), ...p99)).toBe(true);
    expect(verdict(latencyRun([row('floor', 1), row('pause', 1.031, 1.0)]), ...median)).toBe(false);
    expect(verdict(latencyRun([row('floor', 1), row('pause', 1.0, 1.031)]), ...p99)).toBe(false);
  });

  test('a pause that did not run misses its target; a peer that did not run leaves its comparison not measured', () => {
    const failed = { ...row('pause', 1), samples: 0, errors: ['harness: exec failed'] };
    const run = latencyRun([row('floor', 1), failed]);
    expect(judge(run).find((t) => t.what === 'SIGTERM → exit as PID 1, pause, median')).toEqual(
      { what: 'SIGTERM → exit as PID 1, pause, median', target: '≤ 1.03× floor', measured: 'pause failed: harness: exec failed', met: false });
    const alone = latencyRun([row('floor', 1), row('pause', 1)]);
    expect(verdict(alone, 'SIGTERM → exit as PID 1, pause, median', 'below every peer and Kubernetes pause')).toBeNull();
    const beaten = latencyRun([row('floor', 1), row('pause', 1.2), row('tini', 1.1)], { tini: 'peer' });
    expect(verdict(beaten, 'SIGTERM → exit as PID 1, pause, median', 'below every peer and Kubernetes pause')).toBe(false);
  });

  test('only the targets of the parts a run has are judged, and every one of them is in the list --targets prints', () => {
    const judged = judge(latencyRun([row('floor', 1), row('pause', 1)]));
    expect(new Set(judged.map((t) => TARGETS.find((r) => r.what === t.what && r.target === t.target)?.part))).toEqual(new Set(['latency']));
    expect(judged.length).toBe(TARGETS.filter((r) => r.part === 'latency').length);
  });
});

describe('the saved results', () => {
  const saved = join(SAVED_RESULTS, 'results.json');
  const loaded = (loads: Partial<BenchResult['loadavgBefore']>, start = 0.4): BenchResult =>
    ({ ...latencyRun([row('floor', 1), row('pause', 1)]), loadavgBefore: loads, machine: { ...latencyRun([]).machine, loadavgStart: [start, 0, 0] } });

  test('take a full run whose 1-minute load average stayed at or below the CPU count before each part', () => {
    expect(savingRefusal(loaded({ latency: [1.2, 0, 0], init: [2, 0, 0] }), [saved])).toBeUndefined();
  });

  test('refuse one whose load average went above the CPU count, naming when, but not the reaping part\'s own orphans after it', () => {
    const run = loaded({ latency: [1.2, 0, 0], init: [2.5, 0, 0], reaping: [1.9, 0, 0], sizes: [900, 0, 0], cri: [900, 0, 0] });
    expect(peakLoad(run)).toEqual({ load: 2.5, when: 'before the init part' });
    expect(savingRefusal(run, [saved])).toBe('the 1-minute load average was 2.50 before the init part, above the 2 CPUs: other work shared the machine');
    expect(savingRefusal(loaded({}, 3), [saved])).toMatch(/^the 1-minute load average was 3\.00 at the start/);
  });

  test('refuse a quick run; files elsewhere are the user\'s to write', () => {
    expect(savingRefusal({ ...loaded({}), quick: true }, [saved])).toBe('a quick run\'s figures mean nothing');
    expect(savingRefusal(loaded({}, 3), [join(DIR, 'results.json')])).toBeUndefined();
  });
});

/** Runs `pausekit bench ARGS` from the checkout; its exit code and output. */
function bench(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI, 'bench', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }));
  });
}

describe.skipIf(cannotRun('the pausekit bench exit tests', ...BENCH))('pausekit bench exits', () => {
  test('0 when every target it judged is met: the footprint of the default build', async () => {
    const run = await bench(['--only', 'footprint', '--out', join(DIR, 'met')]);
    expect(run.stdout).toMatch(/^footprint idle as PID 1, pause +static, ≤ 32 KiB, VmRSS ≤ 32 kB +static, \d+ bytes, VmRSS \d+ kB +met$/m);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('missed') as string });
  }, 130_000);

  test('1 when a target is missed, saying so, and 0 with --report-only', async () => {
    // A pause of 666 KiB (static glibc) where the default build goes: the footprint target wants ≤ 32 KiB.
    const glibc = pauseWithLibc(join(ROOT, 'build'), 'glibc');
    if ('reason' in glibc) throw new Error(`cannot build the glibc pause: ${glibc.reason}`);
    const native = join(DIR, 'native');
    mkdirSync(native);
    copyFileSync(glibc.pause, join(native, 'pause'));
    const env = { PAUSEKIT_NATIVE_DIR: native };
    const missed = await bench(['--only', 'footprint', '--out', join(DIR, 'missed')], env);
    expect(missed.stdout).toMatch(/^footprint idle as PID 1, pause +static, ≤ 32 KiB, VmRSS ≤ 32 kB +static, \d{6} bytes, .* +MISSED$/m);
    expect({ code: missed.code, last: missed.stderr.trim().split('\n').at(-1) }).toEqual({ code: 1, last: 'pausekit bench: 1 target missed' });
    const reported = await bench(['--only', 'footprint', '--report-only', '--out', join(DIR, 'reported')], env);
    expect(reported.stdout).toMatch(/MISSED$/m);
    expect(reported.code).toBe(0);
  }, 130_000);

  test('1 when told to save a quick run as the project\'s results, which it writes to the work directory instead', async () => {
    const name = `refused-${process.pid}.json`;
    const work = join(DIR, 'work');
    try {
      const run = await bench(['--quick', '--only', 'sizes', '--json', join(SAVED_RESULTS, name), '--work-dir', work]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('pausekit bench: not saved as the project\'s results (bench/results/): a quick run\'s figures mean nothing; ' +
        `written to ${join(work, 'unsaved')}/ instead`);
      expect(readdirSync(join(work, 'unsaved'))).toEqual(['results.json']);
    } finally {
      expect(existsSync(join(SAVED_RESULTS, name))).toBe(false);
      rmSync(join(SAVED_RESULTS, name), { force: true });
    }
  }, 130_000);
});
