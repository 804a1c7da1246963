// Bad arguments to `pausekit image` get one clear line naming what was
// wrong, a non-zero exit, no stack trace, and nothing half-written.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { run } from '../support/processes.ts';
import { ROOT } from '../support/engines/images.ts';
import { HOST_ARCH, archBinary } from '../support/qemu.ts';

const pausekit = (args: string[]) => run(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'image', ...args]);

/** An architecture whose build directory holds this machine's executable in the tests. */
const IMPOSTOR = HOST_ARCH === 'arm64' ? 'riscv64' : 'arm64';
const HOST = HOST_ARCH === 'arm' ? 'linux/arm/v7' : `linux/${HOST_ARCH}`;

describe('pausekit image', () => {
  const cleanup = new Cleanup();
  let dir: string;
  const previous = 'an archive from an earlier run\n';

  beforeAll(() => {
    dir = tempDir('image-errors');
    cleanup.add('temp dir', () => removeDir(dir));
    writeFileSync(join(dir, 'existing.tar'), previous);
    writeFileSync(join(dir, 'not-a-dir'), '');
    writeFileSync(join(dir, 'script.sh'), '#!/bin/sh\n');
    mkdirSync(join(dir, 'a-dir'));
    // A build tree with this machine's build, also posing as another's.
    mkdirSync(join(dir, 'builds', HOST_ARCH!), { recursive: true });
    mkdirSync(join(dir, 'builds', IMPOSTOR), { recursive: true });
    copyFileSync(archBinary(HOST_ARCH!, 'default'), join(dir, 'builds', HOST_ARCH!, 'pause'));
    copyFileSync(archBinary(HOST_ARCH!, 'default'), join(dir, 'builds', IMPOSTOR, 'pause'));
  });
  afterAll(() => cleanup.run());

  const cases: { name: string; args: () => string[]; message: RegExp }[] = [
    {
      name: 'an unknown format',
      args: () => ['--out', join(dir, 'existing.tar'), '--format', 'rkt'],
      message: /unknown --format 'rkt' \(expected oci or docker\)/,
    },
    {
      name: 'a binary that is not there',
      args: () => ['--out', join(dir, 'existing.tar'), '--binary', join(dir, 'missing/pause')],
      message: /no binary at .*missing\/pause; pass the path of a pause executable/,
    },
    {
      name: 'a binary that is not an executable',
      args: () => ['--out', join(dir, 'existing.tar'), '--binary', join(dir, 'script.sh')],
      message: /script\.sh is not an ELF executable/,
    },
    {
      name: 'an output directory that does not exist',
      args: () => ['--out', join(dir, 'nowhere/pause.tar')],
      message: /cannot write .*nowhere\/pause\.tar: directory .*nowhere does not exist/,
    },
    {
      name: 'an output path below a file',
      args: () => ['--out', join(dir, 'not-a-dir/pause.tar')],
      message: /cannot write .*not-a-dir\/pause\.tar: .*not-a-dir is not a directory/,
    },
    {
      name: 'an output path that is a directory',
      args: () => ['--out', join(dir, 'a-dir')],
      message: /cannot write .*a-dir: it is a directory/,
    },
    {
      name: 'an image name that no engine would accept',
      args: () => ['--out', join(dir, 'existing.tar'), '--name', 'Pausekit/Pause'],
      message: /'Pausekit\/Pause' is not a valid image name/,
    },
    {
      name: 'an unknown platform',
      args: () => ['--out', join(dir, 'existing.tar'), '--platform', 'linux/amd64,linux/mips64le'],
      message: /unknown platform 'linux\/mips64le' in --platform \(expected a comma-separated list of linux\/amd64, linux\/arm64, linux\/arm\/v7, linux\/ppc64le, linux\/s390x, linux\/riscv64\)/,
    },
    {
      name: 'a platform named twice',
      args: () => ['--out', join(dir, 'existing.tar'), '--platform', 'linux/arm/v7,linux/amd64,linux/arm'],
      message: /platform 'linux\/arm\/v7' is named twice in --platform/,
    },
    {
      name: 'platforms that were not built, naming each, its missing file and how to build it',
      args: () => ['--out', join(dir, 'existing.tar'), '--builds', join(dir, 'builds'), '--platform', `${HOST},linux/s390x,linux/arm`],
      message: new RegExp(
        "platform linux/arm/v7 was not built: no .*/builds/arm/pause \\(make -C native ARCH=arm builds it, with Debian's gcc-arm-linux-gnueabihf\\); " +
          "platform linux/s390x was not built: no .*/builds/s390x/pause \\(make -C native ARCH=s390x builds it, with Debian's gcc-s390x-linux-gnu\\)$",
        'm',
      ),
    },
    {
      name: 'a build that is not the platform it stands for',
      args: () => ['--out', join(dir, 'existing.tar'), '--builds', join(dir, 'builds'), '--platform', `linux/${IMPOSTOR}`],
      message: new RegExp(`builds/${IMPOSTOR}/pause is an executable for ${HOST}, not linux/${IMPOSTOR} \\(make -C native ARCH=${IMPOSTOR} builds it`),
    },
    {
      name: 'a build tree with no platform in it',
      args: () => ['--out', join(dir, 'existing.tar'), '--builds', join(dir, 'a-dir')],
      message: /no platform is built \(no .*a-dir\/<arch>\/pause\); run 'npm run build'/,
    },
    {
      name: 'several platforms in a docker archive, which holds one',
      args: () => ['--out', join(dir, 'existing.tar'), '--format', 'docker', '--platform', 'linux/amd64,linux/arm64'],
      message: /a docker archive holds one platform, not 2 \(linux\/amd64, linux\/arm64\); write an OCI archive \(--format oci\) for several, or name one --platform/,
    },
    {
      name: '--binary and --platform together',
      args: () => ['--out', join(dir, 'existing.tar'), '--binary', join(dir, 'builds', HOST_ARCH!, 'pause'), '--platform', HOST],
      message: /--binary and --platform both say what goes in the image: give one of them/,
    },
    { name: 'a missing --out', args: () => [], message: /--out FILE is required/ },
    { name: 'an unknown option', args: () => ['--out', join(dir, 'x.tar'), '--tag', 'x'], message: /unknown option '--tag'/ },
  ];

  for (const { name, args, message } of cases) {
    test(`refuses ${name} with a clear error, exits non-zero and leaves the output directory as it was`, async () => {
      const before = readdirSync(dir).sort();
      const result = await pausekit(args());
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^pausekit: /);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stdout).toBe('');
      expect(readdirSync(dir).sort()).toEqual(before);
      expect(readdirSync(join(dir, 'a-dir'))).toEqual([]);
      expect(readFileSync(join(dir, 'existing.tar'), 'utf8')).toBe(previous);
    });
  }
});
