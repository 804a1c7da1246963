// `pausekit which` prints the absolute path of each binary pausekit ships:
// the pause the kernel engine runs (each design), another architecture's
// pause, a mutant build (a checkout's), the kernel driver and the model.
// What is not there is one line and exit 2.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { capture } from './capture.ts';
import * as which from '../../src/cli/which.ts';
import { DRIVER, NATIVE_DIR, nativeProgram, pauseBinary } from '../../src/engines/kernel/engine.ts';
import { MODEL_WASM } from '../../src/engines/model/wasm.ts';
import { PausekitError } from '../../src/errors.ts';
import { DESIGNS } from '../../src/scenario/types.ts';
import { ARCHES, buildMissing } from '../support/qemu.ts';
import { run } from '../support/processes.ts';

/** What `pausekit which ARGS` prints, as a path (a failure if it exits otherwise). */
async function path(args: string[]): Promise<string> {
  const { code, stdout } = await capture(which, args);
  expect(code).toBe(0);
  expect(stdout.endsWith('\n') && !stdout.slice(0, -1).includes('\n')).toBe(true);
  const file = stdout.slice(0, -1);
  expect(isAbsolute(file) && existsSync(file), file).toBe(true);
  return file;
}

describe('pausekit which', () => {
  test('pause: the build the kernel engine runs, which answers -v as pause', async () => {
    expect(await path(['pause'])).toBe(nativeProgram('pause'));
    expect((await run(await path(['pause']), ['-v'])).stdout).toMatch(/^pause\.c \S+\n$/);
  });

  for (const design of DESIGNS) {
    test(`pause --design ${design}: that design's build`, async () => {
      expect(await path(['pause', '--design', design])).toBe(pauseBinary(design));
    });
  }

  for (const arch of ARCHES.filter((a) => buildMissing(a) === undefined)) {
    test(`pause --arch ${arch}: that architecture's build, and --design's`, async () => {
      expect(await path(['pause', '--arch', arch])).toBe(join(NATIVE_DIR, arch, 'pause'));
      expect(await path(['pause', '--arch', arch, '--design', 'autoreap'])).toBe(join(NATIVE_DIR, arch, 'pause-autoreap'));
    });
  }

  test('pause --design D --mutant NAME: a mutant build, for diff --binary', async () => {
    expect(await path(['pause', '--design', 'sigwait', '--mutant', 'REAP_ONCE'])).toBe(join(NATIVE_DIR, 'mutants', 'pause-sigwait-REAP_ONCE'));
  });

  test('driver and model: the kernel engine\'s helper, the WebAssembly model', async () => {
    expect(await path(['driver'])).toBe(DRIVER);
    expect(await path(['model'])).toBe(MODEL_WASM);
  });

  test('driver --arch riscv64: no such build, one line and exit 2', async () => {
    const error = await capture(which, ['driver', '--arch', 'riscv64']).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PausekitError);
    expect((error as PausekitError).message).toBe(`which: no ${join(NATIVE_DIR, 'riscv64', 'pausekit-driver')}: ` +
      "the driver is not built for riscv64: 'npm run build:prebuilt' builds it for amd64 and arm64 only");
    expect((error as PausekitError).exitCode).toBe(2);
  });
});
