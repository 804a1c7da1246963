// pausekit diff runs a scenario on both engines and shows, step by step,
// where they differ: exit 0 when they agree, 1 when they differ.
import { describe, expect, test } from 'vitest';
import { capture } from './capture.ts';
import * as diff from '../../src/cli/diff.ts';
import { pausekit } from './pausekit.ts';
import { NATIVE_DIR } from '../../src/engines/kernel/engine.ts';
import { PausekitError } from '../../src/errors.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';



describe.skipIf(cannotRun('the pausekit diff kernel cases', KERNEL))('pausekit diff', () => {
  test('exits 0 and says so when model and kernel agree, for every design', async () => {
    const { code, stdout: out } = await capture(diff, ['src/scenario/examples/seed-story.json']);
    expect(out).toMatch(/^sigwait: model and kernel agree at every step/m);
    expect(out).toMatch(/^handlers: model and kernel agree at every step/m);
    expect(out).toMatch(/^autoreap: model and kernel agree at every step/m);
    expect(code).toBe(0);
  });

  test('exits 1 and shows the differing step when the kernel runs a buggy pause', async () => {
    const { code, stdout: out } = await capture(diff, ['seed-story', '--design', 'sigwait', '--binary', `${NATIVE_DIR}mutants/pause-sigwait-WRONG_CODE`]);
    expect(code).toBe(1);
    expect(out).toContain('sigwait: model and kernel differ');
    expect(out).toMatch(/pause: model exited 0 \| kernel exited 1/);
  });
});

test('pausekit diff refuses a missing scenario file with a clear error', async () => {
  await expect(diff.run(['no-such-file.json'])).rejects.toThrow(PausekitError);
  await expect(diff.run(['no-such-file.json'])).rejects.toThrow(/no-such-file.json: cannot read the scenario/);
});

test('pausekit diff refuses --binary without a single design', async () => {
  await expect(diff.run(['src/scenario/examples/sigint.json', '--binary', '/bin/true'])).rejects.toThrow(/--binary needs --design/);
});

test('pausekit diff refuses a --binary that is not a pause build, saying how it told, before anything runs (exit 2)', async () => {
  // /bin/true, run as pause, made the driver's fork fail and the kernel "differ" (exit 1).
  const result = await pausekit(['diff', 'sigint', '--design', 'sigwait', '--binary', '/bin/true']);
  expect(result).toEqual({
    code: 2,
    stdout: '',
    stderr: 'pausekit: diff: --binary /bin/true is not a pause build: `/bin/true -v` printed nothing, not "pause.c <version>"\n',
  });
  const script = await pausekit(['diff', 'sigint', '--design', 'sigwait', '--binary', 'src/scenario/examples/sigint.json']);
  expect(script.stderr).toBe('pausekit: diff: --binary src/scenario/examples/sigint.json is not a pause build: it is not executable\n');
  expect(script.code).toBe(2);
});
