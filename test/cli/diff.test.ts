// pausekit diff runs a scenario on both engines and shows, step by step,
// where they differ: exit 0 when they agree, 1 when they differ.
import { describe, expect, test, vi } from 'vitest';
import { run } from '../../src/cli/diff.ts';
import { NATIVE_DIR } from '../../src/engines/kernel/engine.ts';
import { PausekitError } from '../../src/errors.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

async function capture(args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const code = await run(args);
    return { code, out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe.skipIf(cannotRun('the pausekit diff kernel cases', KERNEL))('pausekit diff', () => {
  test('exits 0 and says so when model and kernel agree, for every design', async () => {
    const { code, out } = await capture(['src/scenario/examples/seed-story.json']);
    expect(out).toMatch(/^sigwait: model and kernel agree at every step/m);
    expect(out).toMatch(/^handlers: model and kernel agree at every step/m);
    expect(out).toMatch(/^autoreap: model and kernel agree at every step/m);
    expect(code).toBe(0);
  });

  test('exits 1 and shows the differing step when the kernel runs a buggy pause', async () => {
    const { code, out } = await capture(['src/scenario/examples/seed-story.json', '--design', 'sigwait', '--binary', `${NATIVE_DIR}mutants/pause-sigwait-WRONG_CODE`]);
    expect(code).toBe(1);
    expect(out).toContain('sigwait: model and kernel differ');
    expect(out).toMatch(/pause: model exited 0 \| kernel exited 1/);
  });
});

test('pausekit diff refuses a missing scenario file with a clear error', async () => {
  await expect(run(['no-such-file.json'])).rejects.toThrow(PausekitError);
  await expect(run(['no-such-file.json'])).rejects.toThrow(/no-such-file.json: cannot read the scenario/);
});

test('pausekit diff refuses --binary without a single design', async () => {
  await expect(run(['src/scenario/examples/sigint.json', '--binary', '/bin/true'])).rejects.toThrow(/--binary needs --design/);
});
