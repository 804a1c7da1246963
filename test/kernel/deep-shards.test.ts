// A deep run cut into shards plays the same scenarios as the whole run:
// two shards of a small seeded run, each written to its report file and
// read back, merge into the unsharded run's report, scenario for scenario
// (the same digest, length, ending) and verdict for verdict; and each shard
// played only its own runs, none twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { DESIGNS } from '../../src/scenario/types.ts';
import { DIFFERENTIAL_PLANS, runCampaign, type CampaignReport, type Verdict } from '../support/campaign.ts';
import { mergeReports, readReport, writeReport } from '../support/deep-report.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { SEED } from '../support/property.ts';

const RUNS = 30;
const model = await loadModel();
const dir = mkdtempSync(join(tmpdir(), 'pausekit-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What a verdict says about its scenario, without the words of a difference.
const plain = (v: Verdict) => ({ index: v.index, digest: v.digest, steps: v.steps, ending: v.ending, endedAt: v.endedAt, agree: v.agree });

describe.skipIf(cannotRun('the sharded deep run', KERNEL))('a deep run in two shards', () => {
  test(`equals the whole run: the same scenarios, the same verdicts (seed ${SEED}, ${RUNS} per design)`, async () => {
    const run = (shard?: { index: number; count: number }): Promise<CampaignReport> =>
      runCampaign({ model, seed: SEED, runs: RUNS, designs: DESIGNS, arbitrary: DIFFERENTIAL_PLANS, shard });
    const whole = await run();
    const files: string[] = [];
    for (const index of [1, 2]) {
      const shard = await run({ index, count: 2 });
      for (const design of DESIGNS) {
        const mine = shard.verdicts[design]!.map((v) => v.index);
        expect(mine, `shard ${index}/2, ${design}`).toEqual([...Array(RUNS).keys()].filter((i) => i % 2 === index - 1));
      }
      files.push(join(dir, `shard${index}.json`));
      writeReport(files.at(-1)!, shard);
    }
    const merged = mergeReports(files.map(readReport));
    expect(merged.seed).toBe(SEED);
    expect(merged.runs).toBe(RUNS);
    for (const design of DESIGNS) {
      const together = merged.verdicts[design]!.map(plain).sort((a, b) => a.index - b.index);
      expect(together, design).toEqual(whole.verdicts[design]!.map(plain));
      // The run played scenarios of several lengths, not one trivial one again and again.
      expect(new Set(together.map((v) => v.digest)).size, design).toBeGreaterThan(RUNS / 2);
    }
  }, 300_000);
});
