// Bad arguments to `pausekit image` get one clear line naming what was
// wrong, a non-zero exit, no stack trace, and nothing half-written.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { run } from '../support/processes.ts';
import { ROOT } from '../support/engines/images.ts';

const pausekit = (args: string[]) => run(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'image', ...args]);

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
  });
  afterAll(() => cleanup.run());

  const cases: { name: string; args: () => string[]; message: RegExp }[] = [
    {
      name: 'an unknown format',
      args: () => ['--out', join(dir, 'existing.tar'), '--format', 'rkt'],
      message: /unknown --format 'rkt' \(expected oci or docker\)/,
    },
    {
      name: 'a binary that was never built',
      args: () => ['--out', join(dir, 'existing.tar'), '--binary', join(dir, 'missing/pause')],
      message: /no binary at .*missing\/pause; run 'npm run build'/,
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
    { name: 'a missing --out', args: () => [], message: /--out FILE is required/ },
    { name: 'an unknown option', args: () => ['--out', join(dir, 'x.tar'), '--tag', 'x'], message: /Unknown option '--tag'/ },
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
