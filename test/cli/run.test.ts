// `pausekit run`: the seed story by default, as tables or as JSON; clear
// errors for bad options.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pausekit } from './pausekit.ts';
import { SEED_STORY } from '../../src/scenario/load.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('pausekit run on the kernel', KERNEL);
const SEED_FILE = fileURLToPath(new URL('../../src/scenario/examples/seed-story.json', import.meta.url));
const SEED_EXPECTED = fileURLToPath(new URL('../../src/scenario/examples/seed-story.expected.json', import.meta.url));

describe('pausekit run', () => {
  it('has the seed story built in: the example file, ending with SIGTERM to pause', () => {
    expect(SEED_STORY.steps.length).toBeGreaterThan(0);
    expect(SEED_STORY.steps.at(-1)).toEqual({ event: 'signal', target: 'pause', signal: 'SIGTERM', from: 'outside' });
  });

  it('explains its options with --help', async () => {
    const result = await pausekit(['run', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: pausekit run \[SCENARIO\]/);
    expect(result.stdout).toContain('--engine kernel');
  });

  it('rejects an unknown engine with a clear message', async () => {
    const result = await pausekit(['run', '--engine', 'qemu']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'pausekit: run: --engine: expected kernel or model, got "qemu"\n' });
  });

  it('rejects an unknown WASI runtime with a clear message', async () => {
    const result = await pausekit(['run', '--engine', 'model', '--wasi', 'wasmtime']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'pausekit: run: --wasi: expected node or wasmer, got "wasmtime"\n' });
  });

  it('tells the seed story on the model under either WASI runtime, alike and without a warning', async () => {
    const node = await pausekit(['run', '--engine', 'model', '--wasi', 'node', '--json']);
    const wasmer = await pausekit(['run', '--engine', 'model', '--wasi', 'wasmer', '--json']);
    const byDefault = await pausekit(['run', '--engine', 'model', '--json']);
    expect(node).toEqual({ code: 0, stdout: readFileSync(SEED_EXPECTED, 'utf8'), stderr: '' });
    expect(wasmer).toEqual(node);
    expect(byDefault).toEqual(node);
  });

  it.skipIf(skip)('tells the seed story on the kernel by default, one table per step', async () => {
    const result = await pausekit(['run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('start: pause as PID 1 of a fresh PID namespace');
    expect(result.stdout).toContain('step 5: worker exits with code 0');
    expect(result.stdout).toMatch(/\n {2}job +running +pause\n/);
    expect(result.stdout).toMatch(/step 9: outside sends SIGTERM to pause\n.*\n {2}pause +exited 0/);
    expect(result.stdout).toContain('  stderr: Shutting down, got signal: Terminated\n');
  });

  it.skipIf(skip)('prints the observations as JSON with --json', async () => {
    const result = await pausekit(['run', SEED_FILE, '--json', '--design', 'handlers']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(SEED_EXPECTED, 'utf8')));
  });
});
