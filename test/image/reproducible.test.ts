// The same binary gives the same image, byte for byte: no timestamps, no
// owners, no file metadata of the build machine leaks into the archive.
import { copyFileSync, chmodSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { PAUSE_BINARY, ROOT, pausekitImage, readOciArchive, readTar } from '../support/engines/images.ts';

describe('pausekit image, for reproducible archives,', () => {
  const cleanup = new Cleanup();
  let dir: string;

  beforeAll(() => {
    dir = tempDir('image-repro');
    cleanup.add('temp dir', () => removeDir(dir));
    // Two copies of the binary that differ in everything but their bytes.
    copyFileSync(PAUSE_BINARY, join(dir, 'a'));
    copyFileSync(PAUSE_BINARY, join(dir, 'b'));
    chmodSync(join(dir, 'a'), 0o700);
    chmodSync(join(dir, 'b'), 0o755);
    utimesSync(join(dir, 'a'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
  });
  afterAll(() => cleanup.run());

  for (const format of ['oci', 'docker']) {
    test(`writes identical ${format} archives from the same binary bytes, whatever the file's mode and mtime`, async () => {
      const first = join(dir, `first-${format}.tar`);
      const second = join(dir, `second-${format}.tar`);
      const printedFirst = await pausekitImage(['--out', first, '--format', format, '--binary', join(dir, 'a')]);
      const printedSecond = await pausekitImage(['--out', second, '--format', format, '--binary', join(dir, 'b')]);
      expect(readFileSync(first).equals(readFileSync(second))).toBe(true);
      expect(printedFirst.replace(first, '')).toBe(printedSecond.replace(second, ''));
    });
  }

  test('fixes every timestamp and owner, sorts the entries, and writes gzip without a timestamp', async () => {
    const out = join(dir, 'inspect.tar');
    await pausekitImage(['--out', out]);
    const archive = readFileSync(out);
    const image = await readOciArchive(archive);
    for (const entries of [image.entries, await readTar(image.layer)]) {
      const names = [...entries.keys()];
      expect(names).toEqual([...names].sort());
      for (const { header } of entries.values()) {
        expect(header).toMatchObject({ mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' });
      }
    }
    const gzip = image.entries.get(`blobs/sha256/${image.manifest.layers[0]!.digest.slice(7)}`)!.content;
    expect(gzip.readUInt32LE(4)).toBe(0);
    expect(gzip[9]).toBe(255);
  });

  test('gives a different digest for a different binary', async () => {
    const pause = join(dir, 'pause.tar');
    const handlers = join(dir, 'handlers.tar');
    await pausekitImage(['--out', pause]);
    await pausekitImage(['--out', handlers, '--binary', join(ROOT, 'build/native/pause-handlers')]);
    const [a, b] = [await readOciArchive(readFileSync(pause)), await readOciArchive(readFileSync(handlers))];
    expect(a.manifestDigest).not.toBe(b.manifestDigest);
    expect(a.config.rootfs.diff_ids).not.toEqual(b.config.rootfs.diff_ids);
  });
});
