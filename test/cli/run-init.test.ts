// `pausekit run --init`: an init-mode scenario with a peer in pause's place,
// on the kernel only, named (found on PATH) or given by its path (which
// init it is, its answer to --version or -v tells); clear errors for what
// cannot run.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pausekit } from './pausekit.ts';
import { findOnPath, pauseBinary } from '../../src/engines/kernel/engine.ts';
import { cannotRun, commands, KERNEL } from '../support/gate.ts';

const skip = cannotRun('pausekit run --init on the kernel', KERNEL);
const noTini = cannotRun('pausekit run --init tini', commands(['tini']));
const noCatatonit = cannotRun('pausekit run --init catatonit', commands(['catatonit']));
const tini = findOnPath('tini');
const catatonit = findOnPath('catatonit');
const dir = mkdtempSync(join(tmpdir(), 'pausekit-run-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
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

  it.skipIf(skip || noTini)('runs the program under tini, which maps 143 to 0 with -e as pause does', async () => {
    const result = await pausekit(['run', example('init-expect'), '--init', 'tini', '--json']);
    expect(result.code).toBe(0);
    const observations = JSON.parse(result.stdout) as { pause: unknown; processes: Record<string, { parent: string | null }> }[];
    expect(observations[0]!.processes['app']!.parent).toBe('pause');
    expect(observations.at(-1)!.pause).toEqual({ state: 'exited', code: 0 });
  });

  it.skipIf(skip || noTini)('runs a peer given by a path whose name says nothing: tini, told by its --version', async () => {
    const renamed = join(dir, 'my-init');
    copyFileSync(tini!, renamed);
    const result = await pausekit(['run', 'init-expect', '--init', renamed]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`init-expect on the kernel (${renamed}): init mode with -e 143`)).toBe(true);
    // tini maps 143 to 0 with -e, as pause does: catatonit, which has no -e, would exit 143.
    expect(result.stdout).toMatch(/\n {2}pause +exited 0 +-\n/);
  });

  it.skipIf(skip || noCatatonit)('runs catatonit by its path, which answers --version in tini\'s words', async () => {
    const result = await pausekit(['run', 'init-expect', '--init', catatonit!, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const observations = JSON.parse(result.stdout) as { pause: unknown }[];
    expect(observations.at(-1)!.pause).toEqual({ state: 'exited', code: 143 });
  });

  it.skipIf(skip)('runs a pause build given by its path', async () => {
    const result = await pausekit(['run', 'init-expect', '--init', pauseBinary('handlers'), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { pause: unknown }[]).at(-1)!.pause).toEqual({ state: 'exited', code: 0 });
  });
});
