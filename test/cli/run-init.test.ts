// `pausekit run --init`: an init-mode scenario with a peer in pause's place,
// on the kernel only, and clear errors for what cannot run.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cannotRun, commands, KERNEL } from '../support/gate.ts';

const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));
const example = (name: string) => fileURLToPath(new URL(`../../src/scenario/examples/${name}.json`, import.meta.url));

async function pausekit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('pausekit run --init', () => {
  it('rejects an init it does not know', async () => {
    const result = await pausekit('run', example('init-expect'), '--init', 'systemd');
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'pausekit: run: --init: expected pause, tini, dumb-init or catatonit, got "systemd"\n' });
  });

  it('runs a peer on the kernel only: the model predicts pause', async () => {
    const result = await pausekit('run', example('init-expect'), '--init', 'tini', '--engine', 'model');
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'pausekit: run: --init tini runs on the kernel only (the model predicts pause)\n' });
  });

  it('needs a scenario in init mode for a peer', async () => {
    const result = await pausekit('run', example('sigint'), '--init', 'catatonit');
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'pausekit: run: --init catatonit needs a scenario in init mode (with an "init" object)\n' });
  });

  it.skipIf(cannotRun('pausekit run --init tini on the kernel', KERNEL, commands(['tini'])))('runs the program under tini, which maps 143 to 0 with -e as pause does', async () => {
    const result = await pausekit('run', example('init-expect'), '--init', 'tini', '--json');
    expect(result.code).toBe(0);
    const observations = JSON.parse(result.stdout) as { pause: unknown; processes: Record<string, { parent: string | null }> }[];
    expect(observations[0]!.processes['app']!.parent).toBe('pause');
    expect(observations.at(-1)!.pause).toEqual({ state: 'exited', code: 0 });
  });
});
