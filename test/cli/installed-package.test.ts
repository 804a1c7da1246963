// pausekit installed as a package has no native/ to build from, only what
// it ships: its code, the examples beside it, the model, and the prebuilt
// builds in build/native/<arch>/ (pause for all six platforms, the driver
// for amd64 and arm64). Laid out here as the package lays them out (the
// sources in place of dist/, run through tsx), it must find all of them by
// itself (`which`, example names, `image` with all six platforms) and, for
// what is missing, say so in words that fit a package: never `make -C native`.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from '../support/processes.ts';
import { readOciIndexArchive } from '../support/engines/images.ts';
import { cannotRun, need } from '../support/gate.ts';
import { ARCHES, HOST_ARCH, buildMissing } from '../support/qemu.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const missing = ARCHES.map(buildMissing).filter((m) => m !== undefined);
const SKIP = HOST_ARCH === undefined ? `no pause build for this machine (${process.arch})`
  : missing.length > 0 ? `not every platform is built here: ${missing[0]}` : undefined;

const base = mkdtempSync(join(tmpdir(), 'pausekit-installed-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
/** The package's root, as npm installs it into node_modules/pausekit. */
const PKG = join(base, 'pausekit');
const NATIVE = join(PKG, 'build', 'native');

/** `pausekit ARGS` of the installed package, run from an empty folder. */
const pausekit = (args: string[]) => run(process.execPath, [join(PKG, 'src', 'cli', 'bin.mjs'), ...args], {
  env: { ...process.env, PAUSEKIT_NATIVE_DIR: '' },
});

/** The package: package.json, the code and its examples, the model, every platform's pause, this machine's driver. */
function install(): void {
  mkdirSync(PKG);
  copyFileSync(join(ROOT, 'package.json'), join(PKG, 'package.json'));
  cpSync(join(ROOT, 'src'), join(PKG, 'src'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(PKG, 'node_modules'));
  mkdirSync(join(PKG, 'build', 'asm'), { recursive: true });
  copyFileSync(join(ROOT, 'build', 'asm', 'pause.wasm'), join(PKG, 'build', 'asm', 'pause.wasm'));
  for (const arch of ARCHES) {
    mkdirSync(join(NATIVE, arch), { recursive: true });
    for (const name of ['pause', 'pause-sigwait', 'pause-handlers', 'pause-autoreap']) {
      copyFileSync(join(ROOT, 'build', 'native', arch, name), join(NATIVE, arch, name));
    }
  }
  copyFileSync(join(ROOT, 'build', 'native', 'pausekit-driver'), join(NATIVE, HOST_ARCH!, 'pausekit-driver'));
}

describe.skipIf(cannotRun('pausekit as an installed package', need('every platform\'s pause built', () => SKIP)))('pausekit as an installed package', () => {
  beforeAll(() => {
    expect(existsSync(join(ROOT, 'native', 'Makefile')), 'this test runs from a checkout').toBe(true);
    install();
  });

  test('finds its own pause, driver and model with which', async () => {
    expect(await pausekit(['which', 'pause'])).toMatchObject({ code: 0, stdout: `${join(NATIVE, HOST_ARCH!, 'pause')}\n` });
    expect(await pausekit(['which', 'pause', '--design', 'handlers'])).toMatchObject({ code: 0, stdout: `${join(NATIVE, HOST_ARCH!, 'pause-handlers')}\n` });
    expect(await pausekit(['which', 'pause', '--arch', 'riscv64'])).toMatchObject({ code: 0, stdout: `${join(NATIVE, 'riscv64', 'pause')}\n` });
    expect(await pausekit(['which', 'driver'])).toMatchObject({ code: 0, stdout: `${join(NATIVE, HOST_ARCH!, 'pausekit-driver')}\n` });
    expect(await pausekit(['which', 'model'])).toMatchObject({ code: 0, stdout: `${join(PKG, 'build', 'asm', 'pause.wasm')}\n` });
  });

  test('says it ships no mutant builds', async () => {
    const result = await pausekit(['which', 'pause', '--design', 'sigwait', '--mutant', 'REAP_ONCE']);
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `pausekit: which: no ${join(NATIVE, 'mutants', 'pause-sigwait-REAP_ONCE')}: the package ships no mutant: ` +
        'they are test builds of a checkout of pausekit\n',
    });
  });

  test('runs its examples by name', async () => {
    const result = await pausekit(['run', 'coalesced-sigchld', '--engine', 'model', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(ROOT, 'src/scenario/examples/coalesced-sigchld.expected.json'), 'utf8')));
  });

  test('writes an image of all six platforms', async () => {
    const out = join(base, 'pause.tar');
    const result = await pausekit(['image', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/oci archive of \S+ for 6 platforms, /);
    const archive = await readOciIndexArchive(readFileSync(out));
    expect([...archive.images.keys()]).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/ppc64le', 'linux/s390x', 'linux/riscv64']);
  });

  test('says what is missing from an incomplete installation without advising make, which a package cannot run', async () => {
    rmSync(join(NATIVE, 's390x'), { recursive: true });
    const hint = 'the pausekit package ships every platform\'s pause: this installation is incomplete, reinstall pausekit';
    const all = await pausekit(['image', '--out', join(base, 'five.tar')]);
    expect(all.code).toBe(0);
    expect(all.stderr).toBe(`pausekit image: leaving out linux/s390x: no ${join(NATIVE, 's390x', 'pause')} (${hint})\n`);
    const one = await pausekit(['image', '--out', join(base, 'one.tar'), '--platform', 'linux/s390x']);
    expect(one).toMatchObject({ code: 2, stderr: `pausekit: image: platform linux/s390x was not built: no ${join(NATIVE, 's390x', 'pause')} (${hint})\n` });
    const which = await pausekit(['which', 'pause', '--arch', 's390x']);
    expect(which).toMatchObject({ code: 2, stderr: `pausekit: which: no ${join(NATIVE, 's390x', 'pause')}: linux/s390x is not built (${hint})\n` });
    for (const result of [all, one, which]) expect(result.stderr).not.toMatch(/make|npm run build/);
  });
});
