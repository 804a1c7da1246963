// The multi-platform archive is reproducible byte for byte: the same builds
// give the same archive, whatever their files' modes and mtimes, the order
// --platform names them in, the time zone or the umask; and every entry of
// the archive and of each layer has fixed metadata.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { run } from '../support/processes.ts';
import { ARCHES, archBinary, buildMissing } from '../support/qemu.ts';
import { ROOT, pausekitImage, readOciIndexArchive, readTar } from '../support/engines/images.ts';

const built = ARCHES.filter((arch) => buildMissing(arch) === undefined);
const PLATFORM: Record<string, string> = { arm: 'linux/arm/v7' };
const platformOf = (arch: string): string => PLATFORM[arch] ?? `linux/${arch}`;

describe('pausekit image, for reproducible multi-platform archives,', () => {
  const cleanup = new Cleanup();
  let dir: string;

  beforeAll(() => {
    dir = tempDir('image-multi-repro');
    cleanup.add('temp dir', () => removeDir(dir));
    // Two copies of every build, differing in everything but their bytes.
    for (const [copy, mode, mtime] of [['a', 0o700, new Date('2001-02-03T04:05:06Z')], ['b', 0o755, new Date()]] as const) {
      for (const arch of built) {
        mkdirSync(join(dir, copy, arch), { recursive: true });
        copyFileSync(archBinary(arch, 'default'), join(dir, copy, arch, 'pause'));
        chmodSync(join(dir, copy, arch, 'pause'), mode);
        utimesSync(join(dir, copy, arch, 'pause'), mtime, mtime);
      }
    }
  });
  afterAll(() => cleanup.run());

  test(`writes identical archives from the same ${built.length} builds, whatever their modes, mtimes, the --platform order, TZ and umask`, async () => {
    const first = join(dir, 'first.tar');
    const second = join(dir, 'second.tar');
    const printedFirst = await pausekitImage(['--out', first, '--builds', join(dir, 'a')]);
    const reversed = built.map(platformOf).reverse().join(',');
    const other = await run('sh', ['-c', 'umask 077 && exec "$@"', 'sh', process.execPath, join(ROOT, 'src/cli/bin.mjs'), 'image',
      '--out', second, '--builds', join(dir, 'b'), '--platform', reversed], { env: { ...process.env, TZ: 'Pacific/Chatham' } });
    expect(other.code, other.stderr).toBe(0);
    expect(readFileSync(first).equals(readFileSync(second))).toBe(true);
    expect(printedFirst.replace(first, '')).toBe(other.stdout.replace(second, ''));
  });

  test('gives the same archive when written again from the build tree', async () => {
    const [x, y] = [join(dir, 'x.tar'), join(dir, 'y.tar')];
    await pausekitImage(['--out', x]);
    await pausekitImage(['--out', y]);
    expect(readFileSync(x).equals(readFileSync(y))).toBe(true);
  });

  test('fixes every timestamp and owner and sorts the entries, in the archive and in every layer; gzip has no timestamp', async () => {
    const out = join(dir, 'inspect.tar');
    await pausekitImage(['--out', out, '--builds', join(dir, 'a')]);
    const archive = await readOciIndexArchive(readFileSync(out));
    expect(archive.images.size).toBe(built.length);
    const layers = await Promise.all([...archive.images.values()].map((image) => readTar(image.layer)));
    for (const entries of [archive.entries, ...layers]) {
      const names = [...entries.keys()];
      expect(names).toEqual([...names].sort());
      for (const { header } of entries.values()) {
        expect(header).toMatchObject({ mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' });
      }
    }
    for (const image of archive.images.values()) {
      const gzip = archive.entries.get(`blobs/sha256/${image.manifest.layers[0]!.digest.slice(7)}`)!.content;
      expect(gzip.readUInt32LE(4)).toBe(0);
      expect(gzip[9]).toBe(255);
    }
    for (const files of layers) expect(files.get('pause')!.header.mode).toBe(0o755);
  });
});
