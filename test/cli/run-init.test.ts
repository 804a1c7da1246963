// `pausekit run --init`: an init-mode scenario with a peer in pause's place,
// on the kernel only, and clear errors for what cannot run.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pausekit } from './pausekit.ts';
import { findOnPath } from '../../src/engines/kernel/engine.ts';
import { warnIfSkipped } from '../support/processes.ts';

const skip = warnIfSkipped('pausekit run --init on the kernel');
const tini = findOnPath('tini');
if (tini === undefined) console.warn('skipping pausekit run --init tini: tini is not installed');
const example = (name: string) => fileURLToPath(new URL(`../../src/scenario/examples/${name}.json`, import.meta.url));

describe('pausekit run --init', () => {
  it('rejects an init it does not know', async () => {
    const result = await pausekit(['run', example('init-expect'), '--init', 'systemd']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'pausekit: run: --init: expected pause, tini, dumb-init or catatonit, got "systemd"\n' });
  });

  it('runs a peer on the kernel only: the model predicts pause', async () => {
    const result = await pausekit(['run', example('init-expect'), '--init', 'tini', '--engine', 'model']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'pausekit: run: --init tini runs on the kernel only (the model predicts pause)\n' });
  });

  it('needs a scenario in init mode for a peer', async () => {
    const result = await pausekit(['run', example('sigint'), '--init', 'catatonit']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'pausekit: run: --init catatonit needs a scenario in init mode (with an "init" object)\n' });
  });

  it.skipIf(skip || tini === undefined)('runs the program under tini, which maps 143 to 0 with -e as pause does', async () => {
    const result = await pausekit(['run', example('init-expect'), '--init', 'tini', '--json']);
    expect(result.code).toBe(0);
    const observations = JSON.parse(result.stdout) as { pause: unknown; processes: Record<string, { parent: string | null }> }[];
    expect(observations[0]!.processes['app']!.parent).toBe('pause');
    expect(observations.at(-1)!.pause).toEqual({ state: 'exited', code: 0 });
  });
});
