// With no --platform, `pausekit image` packs every platform that is built
// and names, on stderr, each one it leaves out and how to build it: a
// machine without some cross compiler gets a smaller index, never a silent gap.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { run, type Result } from '../support/processes.ts';
import { ARCHES, HOST_ARCH, archBinary } from '../support/qemu.ts';
import { ROOT, readOciIndexArchive, type OciIndexImage } from '../support/engines/images.ts';

/** Each architecture's OCI platform and the Debian package of its cross compiler. */
const PLATFORM: Record<string, [string, string]> = {
  amd64: ['linux/amd64', 'gcc-x86-64-linux-gnu'],
  arm64: ['linux/arm64', 'gcc-aarch64-linux-gnu'],
  arm: ['linux/arm/v7', 'gcc-arm-linux-gnueabihf'],
  ppc64le: ['linux/ppc64le', 'gcc-powerpc64le-linux-gnu'],
  s390x: ['linux/s390x', 'gcc-s390x-linux-gnu'],
  riscv64: ['linux/riscv64', 'gcc-riscv64-linux-gnu'],
};

describe('pausekit image, with some platforms not built,', () => {
  const cleanup = new Cleanup();
  let result: Result;
  let archive: OciIndexImage;
  let builds = '';

  beforeAll(async () => {
    const dir = tempDir('image-left-out');
    cleanup.add('temp dir', () => removeDir(dir));
    builds = join(dir, 'builds');
    // The host's build only (npm run build always makes it).
    mkdirSync(join(builds, HOST_ARCH!), { recursive: true });
    copyFileSync(archBinary(HOST_ARCH!, 'default'), join(builds, HOST_ARCH!, 'pause'));
    result = await run(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'image', '--out', join(dir, 'pause.tar'), '--builds', join(dir, 'builds')]);
    archive = await readOciIndexArchive(readFileSync(join(dir, 'pause.tar')));
  });
  afterAll(() => cleanup.run());

  test('writes an index of the platforms that are built, in the fixed order', () => {
    expect(result.code).toBe(0);
    expect([...archive.images.keys()]).toEqual([PLATFORM[HOST_ARCH!]![0]]);
    expect(result.stdout).toMatch(/oci archive of \S+ for 1 platform, /);
  });

  test('names each platform it leaves out on stderr, with the missing file and how to build it', () => {
    const left = ARCHES.filter((arch) => arch !== HOST_ARCH);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(left.length);
    for (const [i, arch] of left.entries()) {
      const [platform, pkg] = PLATFORM[arch]!;
      expect(lines[i]).toBe(
        `pausekit image: leaving out ${platform}: no ${builds}/${arch}/pause (make -C native ARCH=${arch} builds it, with Debian's ${pkg})`,
      );
    }
  });
});
