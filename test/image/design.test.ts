// `pausekit image --design D` puts build/native/<arch>/pause-D at /pause of
// every platform's image (the design docs/kubernetes.md recommends for pods
// is autoreap); the docker archive takes the host's pause-D. A design that
// does not exist, or --design with --binary, is a one-line error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nativeProgram } from '../../src/engines/kernel/engine.ts';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { run } from '../support/processes.ts';
import { ARCHES, archBinary, buildMissing } from '../support/qemu.ts';
import { ROOT, pausekitImage, readOciIndexArchive, readTar } from '../support/engines/images.ts';

const PLATFORM: Record<string, string> = { arm: 'linux/arm/v7' };
const built = ARCHES.filter((arch) => buildMissing(arch) === undefined);

describe('pausekit image --design autoreap', () => {
  const cleanup = new Cleanup();
  let dir: string;

  beforeAll(() => {
    dir = tempDir('image-design');
    cleanup.add('temp dir', () => removeDir(dir));
  });
  afterAll(() => cleanup.run());

  test('puts each platform\'s pause-autoreap at /pause', async () => {
    await pausekitImage(['--out', join(dir, 'autoreap.tar'), '--design', 'autoreap']);
    const archive = await readOciIndexArchive(readFileSync(join(dir, 'autoreap.tar')));
    expect(built.length).toBeGreaterThan(0);
    for (const arch of built) {
      const image = archive.images.get(PLATFORM[arch] ?? `linux/${arch}`);
      expect(image, arch).toBeDefined();
      const pause = (await readTar(image!.layer)).get('pause')!.content;
      expect(pause.equals(readFileSync(archBinary(arch, 'autoreap'))), arch).toBe(true);
      expect(pause.equals(readFileSync(archBinary(arch, 'sigwait'))), arch).toBe(false);
    }
  });

  test('puts the host\'s pause-autoreap in a docker archive', async () => {
    const printed = await pausekitImage(['--out', join(dir, 'autoreap-docker.tar'), '--format', 'docker', '--design', 'autoreap']);
    const size = readFileSync(nativeProgram('pause-autoreap')).length;
    expect(printed).toContain(`(${size}-byte /pause)`);
  });

  test.each([
    { args: ['--design', 'fast'], message: 'pausekit: image: --design: expected sigwait, handlers or autoreap, got "fast"' },
    { args: ['--design', 'autoreap', '--binary', '/bin/true'], message: 'pausekit: image: --binary and --design both say what goes in the image: give one of them' },
  ])('refuses $args with one line and writes nothing', async ({ args, message }) => {
    const out = join(dir, 'refused.tar');
    const result = await run(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'image', '--out', out, ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(() => readFileSync(out)).toThrow();
  });
});
