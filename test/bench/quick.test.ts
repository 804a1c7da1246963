// `pausekit bench --quick` runs every benchmark with tiny counts: each
// program is measured (or named as skipped, with why), every ratio is a
// finite number, the tables, the JSON and the chart are written, the
// targets are listed but not judged (exit 0), and no process is left
// behind. No timing is asserted: speed lives in the benchmark's own report.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResult } from '../../src/bench/result.ts';
import { ROOT } from '../../src/bench/build.ts';
import { BENCH, CLI, processesTagged, taggedEnv } from '../support/bench.ts';
import { cannotRun } from '../support/gate.ts';

describe.skipIf(cannotRun('the pausekit bench --quick tests', ...BENCH))('pausekit bench --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pausekit-bench-'));
  let stdout = '';
  let result: BenchResult;
  let svg = '';
  const { env, tag } = taggedEnv();

  beforeAll(async () => {
    // execFile rejects on a non-zero exit: a quick run exits 0 whatever its figures.
    const run = await promisify(execFile)(process.execPath, [...CLI, 'bench', '--quick', '--seed', '7', '--json', join(dir, 'r.json'), '--out', dir], { env, maxBuffer: 1 << 24 });
    stdout = run.stdout;
    result = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as BenchResult;
    svg = readFileSync(join(dir, 'latency.svg'), 'utf8');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures every program in both latency modes, pause 0.1.0 among them, or names why it skipped', () => {
    expect(result.programs.map((p) => p.id)).toEqual(expect.arrayContaining(['floor', 'pause', 'pause-0.1.0']));
    for (const mode of ['pid1', 'plain'] as const) {
      for (const row of result.latency!.summary[mode]) {
        expect({ id: row.id, mode, errors: row.errors, samples: row.samples }).toEqual({ id: row.id, mode, errors: [], samples: 3 });
        expect(Number.isFinite(row.medianRatio) && row.medianRatio > 0).toBe(true);
        expect(Number.isFinite(row.p99Ratio) && row.p99Ratio > 0).toBe(true);
      }
    }
    for (const s of result.skipped) expect(s.reason).toMatch(/\S/);
  });

  it('records how each program ended: pause (today\'s and 0.1.0\'s) exits 0, the floor dies by its signal', () => {
    const byId = (mode: 'pid1' | 'plain', id: string) => result.latency!.summary[mode].find((r) => r.id === id)!;
    expect(byId('pid1', 'pause').statuses).toEqual(['exit 0']);
    expect(byId('pid1', 'pause-0.1.0').statuses).toEqual(['exit 0']);
    expect(byId('pid1', 'floor').statuses).toEqual(['killed by signal 9']);
    expect(byId('plain', 'floor').statuses).toEqual(['killed by signal 15']);
  });

  it('times init mode as PID 1 for every init against the init floor: each exits 143, its program dead of the forwarded SIGTERM', () => {
    const rows = result.init!.summary;
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(['init-floor', 'init-pause', 'init-pause-handlers']));
    for (const row of rows) {
      expect({ id: row.id, errors: row.errors, samples: row.samples, statuses: row.statuses })
        .toEqual({ id: row.id, errors: [], samples: result.init!.rounds, statuses: ['exit 143'] });
      expect(Number.isFinite(row.medianRatio) && row.medianRatio > 0).toBe(true);
    }
    expect(rows.find((r) => r.id === 'init-floor')!.medianRatio).toBe(1);
  });

  it('reaps orphans with every reaping program against the autoreap floor', () => {
    const size = result.reaping![0]!;
    expect(size.summary.map((r) => r.id)).toEqual(expect.arrayContaining(['floor-autoreap', 'pause', 'pause-handlers', 'pause-autoreap']));
    for (const row of size.summary) {
      expect({ id: row.id, errors: row.errors, samples: row.samples }).toEqual({ id: row.id, errors: [], samples: size.rounds });
      expect(Number.isFinite(row.medianRatio) && row.medianRatio > 0).toBe(true);
      expect(row.cpuPerChildNsMedian).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(2 * row.wakeupsMedian!) && row.wakeupsMedian! >= 0).toBe(true);
    }
    // The floor and the autoreap design ignore SIGCHLD: the kernel reaps at exit and never wakes them.
    for (const id of ['floor-autoreap', 'pause-autoreap']) {
      expect({ id, wakeups: size.summary.find((r) => r.id === id)!.wakeupsMedian }).toEqual({ id, wakeups: 0 });
      for (const s of size.samples[id]!) expect({ id, wakeups: s.wakeups, cpuNs: s.cpuNs }).toEqual({ id, wakeups: 0, cpuNs: 0 });
    }
    // A waitpid design is woken at least once, by the first SIGCHLD.
    for (const s of size.samples['pause']!) expect(s.wakeups).toBeGreaterThanOrEqual(1);
    expect(stdout).toContain('wake-ups');
  });

  it('reports each binary\'s size, linking and idle resident set', () => {
    for (const row of result.footprint!) {
      expect(row.error).toBeUndefined();
      expect(row.bytes).toBeGreaterThan(0);
      expect(row.vmRssKb).toBeGreaterThan(0);
    }
    expect(result.footprint!.find((r) => r.id === 'pause')!.linking).toBe('static');
  });

  it('measures the model in both designs under both WASI runtimes', () => {
    expect(Array.isArray(result.model) ? result.model.map((m) => `${m.wasi} ${m.design}`) : result.model)
      .toEqual(['node sigwait', 'node handlers', 'wasmer sigwait', 'wasmer handlers']);
    for (const m of result.model as { loadMs: number; eventsPerSecond: number; eventsPerSecondLarge: number; scenariosPerSecond: number }[]) {
      expect(m.loadMs).toBeGreaterThan(0);
      expect(m.eventsPerSecond).toBeGreaterThan(0);
      expect(m.eventsPerSecondLarge).toBeGreaterThan(0);
      expect(m.scenariosPerSecond).toBeGreaterThan(0);
    }
  });

  it('prints one table per measurement with the machine it ran on', () => {
    expect(stdout).toContain(`Linux ${result.machine.kernel}, ${result.machine.cpus} CPUs`);
    expect(stdout).toMatch(/load average [\d.]+ [\d.]+ [\d.]+ at start/);
    for (const title of ['SIGTERM → exit as PID 1', 'SIGTERM → exit as a plain process', 'Init mode as PID 1', 'Reaping 10 orphans', 'Footprint', 'The model']) {
      expect(stdout).toContain(title);
    }
  });

  it('lists the targets without judging them: a quick run\'s figures mean nothing', () => {
    expect(stdout).toContain('Targets (not judged: a quick run\'s figures mean nothing)');
    expect(result.targets.map((t) => t.what)).toContain('SIGTERM → exit as PID 1, pause, median');
    expect(stdout).not.toMatch(/\b(met|MISSED)$/m);
  });

  it('records the programs by paths relative to the project, or on PATH, never the checkout\'s absolute path', () => {
    const paths = [...result.programs.flatMap((p) => p.argv), ...result.footprint!.map((r) => r.binary)];
    expect(paths).toContain('build/native/pause');
    expect(paths).toContain('build/bench/pause-0.1.0');
    expect(paths.filter((p) => p.startsWith(ROOT))).toEqual([]);
  });

  it('draws one line per program in each panel of the chart', () => {
    const lines = svg.match(/<polyline /g) ?? [];
    expect(lines.length).toBe(2 * result.latency!.summary.pid1.length);
    for (const row of result.latency!.summary.pid1) expect(svg).toContain(`>${row.id}</text>`);
  });

  it('leaves no process behind', () => {
    expect(processesTagged(tag)).toEqual([]);
  });
});
