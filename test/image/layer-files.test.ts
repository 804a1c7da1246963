// The image writer takes any set of files (the busybox image of the engine
// tests comes from it too): files, directories and symlinks, with their
// parent directories filled in, and it refuses paths that escape `/`.
import { describe, expect, test } from 'vitest';
import { PausekitError } from '../../src/errors.ts';
import { buildImageArchive, type ImageFile, type ImageSpec } from '../../src/image/oci.ts';
import { readOciArchive, readTar } from '../support/engines/images.ts';

const spec = (files: ImageFile[]): ImageSpec => ({
  name: 'localhost/layer-test:1',
  os: 'linux',
  architecture: 'amd64',
  cmd: ['sh'],
  user: '0:0',
  files,
});

describe('the image layer', () => {
  test('holds files, directories and symlinks, sorted, with every parent directory listed', async () => {
    const archive = await buildImageArchive(
      spec([
        { type: 'directory', path: '/tmp', mode: 0o1777 },
        { type: 'symlink', path: 'usr/local/bin/sh', target: '/bin/busybox' },
        { type: 'file', path: './bin/busybox', mode: 0o755, content: Buffer.from('#!') },
      ]),
      'oci',
    );
    const layer = await readTar((await readOciArchive(archive.bytes)).layer);
    expect([...layer.keys()]).toEqual(['bin/', 'bin/busybox', 'tmp/', 'usr/', 'usr/local/', 'usr/local/bin/', 'usr/local/bin/sh']);
    expect(layer.get('tmp/')!.header).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(layer.get('usr/local/')!.header).toMatchObject({ type: 'directory', mode: 0o755 });
    expect(layer.get('usr/local/bin/sh')!.header).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
    expect(layer.get('bin/busybox')!.content.toString()).toBe('#!');
  });

  test('keeps Cmd and leaves out Entrypoint when only a command is given', async () => {
    const archive = await buildImageArchive(spec([{ type: 'file', path: 'x', mode: 0o644, content: Buffer.alloc(0) }]), 'oci');
    const { config } = await readOciArchive(archive.bytes);
    expect(config.config.Cmd).toEqual(['sh']);
    expect(config.config.Entrypoint).toBeUndefined();
  });

  test.each([
    ['a path with ..', [{ type: 'file', path: 'bin/../../etc/passwd', mode: 0o644, content: Buffer.alloc(0) }]],
    ['the root itself', [{ type: 'directory', path: '/', mode: 0o755 }]],
    [
      'the same path twice',
      [
        { type: 'file', path: 'bin/sh', mode: 0o755, content: Buffer.alloc(0) },
        { type: 'symlink', path: '/bin/sh', target: 'busybox' },
      ],
    ],
  ] as [string, ImageFile[]][])('refuses %s with a PausekitError naming the path', async (_what, files) => {
    const attempt = buildImageArchive(spec(files), 'oci');
    await expect(attempt).rejects.toThrow(PausekitError);
    await expect(attempt).rejects.toThrow(/image path '.*'/);
  });
});
