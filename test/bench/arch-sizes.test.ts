// `pausekit bench --only sizes` records every architecture's libc-free pause,
// per design, as the files are: size, static linking (read from the ELF
// program headers of either byte order), and which design `pause` is. The
// table prints alone from a saved run with `--from FILE --only sizes`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { DESIGNS } from '../../src/scenario/types.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResult } from '../../src/bench/result.ts';
import { CLI } from '../support/bench.ts';
import { ARCHES, archBinary, buildMissing } from '../support/qemu.ts';

const PLATFORM: Record<string, string> = { arm: 'linux/arm/v7' };
const built = ARCHES.filter((arch) => buildMissing(arch) === undefined);

describe('pausekit bench --only sizes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pausekit-sizes-'));
  let stdout = '';
  let result: BenchResult;

  beforeAll(async () => {
    const run = await promisify(execFile)(process.execPath, [...CLI, 'bench', '--quick', '--only', 'sizes', '--json', join(dir, 'r.json'), '--out', dir]);
    stdout = run.stdout;
    result = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as BenchResult;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every architecture in index order, each design built with its file size, static', () => {
    expect(result.sizes!.map((row) => row.platform)).toEqual(ARCHES.map((arch) => PLATFORM[arch] ?? `linux/${arch}`));
    for (const arch of built) {
      const row = result.sizes!.find((r) => r.arch === arch)!;
      expect(row.missing).toBeUndefined();
      expect(row.designs.map((d) => d.design)).toEqual([...DESIGNS]);
      for (const { design, bytes, linking } of row.designs) {
        expect({ arch, design, bytes, linking }).toEqual({ arch, design, bytes: statSync(archBinary(arch, design as 'sigwait')).size, linking: 'static' });
      }
      expect(row.defaultDesign).toBe('sigwait');
    }
    for (const arch of ARCHES.filter((a) => !built.includes(a))) {
      expect(result.sizes!.find((r) => r.arch === arch)!.missing).toMatch(new RegExp(`not built: .*make -C native ARCH=${arch}`));
    }
  });

  it('measures nothing else, and prints the table', () => {
    expect(result.latency ?? result.reaping ?? result.footprint ?? result.model).toBeUndefined();
    expect(stdout).toMatch(/^Binary size per architecture and design/m);
    for (const arch of built) {
      const row = result.sizes!.find((r) => r.arch === arch)!;
      expect(stdout).toMatch(new RegExp(`^${row.platform} +${row.designs.map((d) => `${d.bytes} B`).join(' +')} +static$`, 'm'));
    }
  });

  it('prints the same table from the saved run with --from FILE --only sizes', async () => {
    const again = await promisify(execFile)(process.execPath, [...CLI, 'bench', '--from', join(dir, 'r.json'), '--only', 'sizes']);
    // Only the table: sizes do not depend on the machine, so no machine line either.
    // A live run also lists what it skipped (e.g. the seed's pause where the
    // seed post is absent); --only prints the chosen tables alone.
    const live = stdout.slice(stdout.indexOf('Binary size'), stdout.indexOf('json: '));
    const skipped = live.indexOf('\nSkipped\n');
    expect(again.stdout).toBe(skipped < 0 ? live : live.slice(0, skipped));
  });
});
