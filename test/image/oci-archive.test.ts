// `pausekit image --platform <one>` writes an OCI image archive of the
// static pause for one platform: one manifest, one layer holding /pause,
// entrypoint /pause, user 65535:65535, and digests that match the blobs they
// name.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { HOST_ARCH, archBinary } from '../support/qemu.ts';
import { HOST_PLATFORM, OCI_ARCH, pausekitImage, readOciArchive, readTar, type OciImage } from '../support/engines/images.ts';

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe(`pausekit image --platform ${HOST_PLATFORM} (one platform, --format oci)`, () => {
  const cleanup = new Cleanup();
  let archive: Buffer;
  let image: OciImage;
  let printed: string;

  beforeAll(async () => {
    const dir = tempDir('image-oci');
    cleanup.add('temp dir', () => removeDir(dir));
    const out = join(dir, 'pause.tar');
    printed = await pausekitImage(['--out', out, '--platform', HOST_PLATFORM]);
    archive = readFileSync(out);
    image = await readOciArchive(archive);
  });
  afterAll(() => cleanup.run());

  test('is an OCI image layout with one manifest', () => {
    expect(JSON.parse(image.entries.get('oci-layout')!.content.toString())).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(image.index.manifests).toHaveLength(1);
    expect(image.index.manifests[0]!.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  test("has one layer whose only file is /pause, the platform's build byte for byte, root-owned and executable", async () => {
    expect(image.manifest.layers).toHaveLength(1);
    expect(image.manifest.layers[0]!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    const files = await readTar(image.layer);
    expect([...files.keys()]).toEqual(['pause']);
    const pause = files.get('pause')!;
    expect(pause.content.equals(readFileSync(archBinary(HOST_ARCH!, 'default')))).toBe(true);
    expect(pause.header).toMatchObject({ type: 'file', mode: 0o755, uid: 0, gid: 0 });
  });

  test('configures /pause to run as the Kubernetes pause image does: entrypoint ["/pause"], user 65535:65535', () => {
    expect(image.config.config.Entrypoint).toEqual(['/pause']);
    expect(image.config.config.Cmd).toBeUndefined();
    expect(image.config.config.User).toBe('65535:65535');
  });

  test("names the platform of the build: linux and this machine's architecture", () => {
    expect(image.config.os).toBe('linux');
    expect(image.config.architecture).toBe(OCI_ARCH[process.arch]);
  });

  test('writes every digest to match the blob it names, and the diff_id to match the uncompressed layer', () => {
    const manifestBlob = image.entries.get(`blobs/sha256/${image.manifestDigest.slice(7)}`)!.content;
    expect(sha256(manifestBlob)).toBe(image.manifestDigest);
    for (const descriptor of [image.manifest.config, ...image.manifest.layers]) {
      const blob = image.entries.get(`blobs/sha256/${descriptor.digest.slice(7)}`)!.content;
      expect(sha256(blob)).toBe(descriptor.digest);
      expect(blob.length).toBe(descriptor.size);
    }
    expect(image.config.rootfs.diff_ids).toEqual([sha256(image.layer)]);
  });

  test('names the image for containerd and OCI tools, and prints the digest it wrote', () => {
    const annotations = image.index.manifests[0]!.annotations!;
    expect(annotations['io.containerd.image.name']).toMatch(/^localhost\/pausekit\/pause:\d+\.\d+\.\d+/);
    expect(annotations['org.opencontainers.image.ref.name']).toBe(annotations['io.containerd.image.name']!.split(':').pop());
    expect(printed).toContain(`digest    ${image.manifestDigest}`);
  });
});
