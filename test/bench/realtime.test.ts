// `pausekit bench --realtime` takes its latency samples under SCHED_FIFO
// (shielded from other work on a shared machine): every program is still
// measured in both modes, and the run says it was real-time.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../src/bench/result.ts';
import { BENCH, CLI, processesTagged, taggedEnv } from '../support/bench.ts';
import { cannotRun } from '../support/gate.ts';

describe.skipIf(cannotRun('the pausekit bench --realtime tests', ...BENCH))('pausekit bench --realtime', () => {
  it('measures every program under SCHED_FIFO and records that it did', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pausekit-bench-rt-'));
    const { env, tag } = taggedEnv();
    try {
      const run = await promisify(execFile)(process.execPath,
        [...CLI, 'bench', '--quick', '--realtime', '--only', 'latency', '--json', join(dir, 'r.json'), '--out', dir], { env });
      const result = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as BenchResult;

      expect(result.realtime).toBe(true);
      expect(run.stdout).toContain('SCHED_FIFO (--realtime)');
      for (const mode of ['pid1', 'plain'] as const) {
        for (const row of result.latency!.summary[mode]) {
          expect({ id: row.id, mode, errors: row.errors, samples: row.samples }).toEqual({ id: row.id, mode, errors: [], samples: 3 });
        }
      }
      expect(processesTagged(tag)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
