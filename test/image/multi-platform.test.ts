// `pausekit image` with no --platform (or several) writes one OCI archive
// holding an image index: a manifest per platform built, each naming its
// `os`, `architecture` and `variant` as the OCI image spec does, each its own
// image whose single layer holds that architecture's /pause.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { cannotRun, need } from '../support/gate.ts';
import { ARCHES, FACTS, HOST_ARCH, archBinary, buildMissing, crossBuilt, type Arch } from '../support/qemu.ts';
import { HOST_PLATFORM, pausekitImage, readOciArchive, readOciIndexArchive, readTar, type OciIndexImage } from '../support/engines/images.ts';

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The OCI image spec's names (GOARCH, and arm's variant), written out here as a check of the writer's table. */
const EXPECTED: Record<Arch, { name: string; platform: Record<string, string> }> = {
  amd64: { name: 'linux/amd64', platform: { architecture: 'amd64', os: 'linux' } },
  arm64: { name: 'linux/arm64', platform: { architecture: 'arm64', os: 'linux' } },
  arm: { name: 'linux/arm/v7', platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
  ppc64le: { name: 'linux/ppc64le', platform: { architecture: 'ppc64le', os: 'linux' } },
  s390x: { name: 'linux/s390x', platform: { architecture: 's390x', os: 'linux' } },
  riscv64: { name: 'linux/riscv64', platform: { architecture: 'riscv64', os: 'linux' } },
};

const built = ARCHES.filter((arch) => buildMissing(arch) === undefined);
for (const arch of ARCHES.filter((a) => !built.includes(a))) {
  console.warn(`the multi-platform image leaves out ${arch}: ${buildMissing(arch)}`);
}

describe('pausekit image, every platform built, in one OCI image index', () => {
  const cleanup = new Cleanup();
  let printed: string;
  let archive: OciIndexImage;

  beforeAll(async () => {
    const dir = tempDir('image-multi');
    cleanup.add('temp dir', () => removeDir(dir));
    printed = await pausekitImage(['--out', join(dir, 'pause.tar'), '--name', 'localhost/pausekit/pause:multi']);
    archive = await readOciIndexArchive(readFileSync(join(dir, 'pause.tar')));
  });
  afterAll(() => cleanup.run());

  test.skipIf(cannotRun('the image of every architecture', ...ARCHES.map(crossBuilt)))('holds all six architectures', () => {
    expect(built).toEqual([...ARCHES]);
  });

  test('names one image in index.json: the image index, under the name given', () => {
    expect(JSON.parse(archive.entries.get('oci-layout')!.content.toString())).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(archive.index.manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: archive.indexDigest,
        size: archive.entries.get(`blobs/sha256/${archive.indexDigest.slice(7)}`)!.content.length,
        annotations: { 'io.containerd.image.name': 'localhost/pausekit/pause:multi', 'org.opencontainers.image.ref.name': 'multi' },
      },
    ]);
    expect(sha256(archive.entries.get(`blobs/sha256/${archive.indexDigest.slice(7)}`)!.content)).toBe(archive.indexDigest);
  });

  test('lists a manifest per platform built, in a fixed order, each with its os, architecture and variant (v7 for arm)', () => {
    expect(archive.imageIndex.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(archive.imageIndex.manifests.map((m) => m.platform)).toEqual(built.map((arch) => EXPECTED[arch].platform));
    for (const m of archive.imageIndex.manifests) expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect([...archive.images.keys()]).toEqual(built.map((arch) => EXPECTED[arch].name));
  });

  for (const arch of built) {
    const { name, platform } = EXPECTED[arch];
    test(`gives ${name} an image of its own: its config names the platform, its one layer holds that architecture's /pause`, async () => {
      const image = archive.images.get(name)!;
      expect({ architecture: image.config.architecture, os: image.config.os, ...(image.config.variant ? { variant: image.config.variant } : {}) }).toEqual(platform);
      expect(image.config.config.Entrypoint).toEqual(['/pause']);
      expect(image.config.config.User).toBe('65535:65535');
      expect(image.manifest.layers).toHaveLength(1);
      const files = await readTar(image.layer);
      expect([...files.keys()]).toEqual(['pause']);
      const pause = files.get('pause')!;
      expect(pause.header).toMatchObject({ type: 'file', mode: 0o755, uid: 0, gid: 0 });
      expect(pause.content.equals(readFileSync(archBinary(arch, 'default')))).toBe(true);
      const elf = pause.content;
      expect(FACTS[arch].endian === 'little' ? elf.readUInt16LE(18) : elf.readUInt16BE(18)).toBe(FACTS[arch].machine);
      expect(printed).toMatch(new RegExp(`^  ${name.replace(/\//g, '\\/')} +${image.manifestDigest} \\(${elf.length}-byte /pause\\)$`, 'm'));
    });
  }

  test('holds exactly the blobs it names, each matching its digest and size', () => {
    const named = new Map<string, number>([[archive.indexDigest, archive.index.manifests[0]!.size]]);
    for (const m of archive.imageIndex.manifests) named.set(m.digest, m.size);
    for (const image of archive.images.values()) {
      for (const d of [image.manifest.config, ...image.manifest.layers]) named.set(d.digest, d.size);
    }
    const blobs = [...archive.entries.keys()].filter((n) => n.startsWith('blobs/sha256/') && !n.endsWith('/'));
    expect(blobs.sort()).toEqual([...named.keys()].map((d) => `blobs/sha256/${d.slice(7)}`).sort());
    for (const [digest, size] of named) {
      const blob = archive.entries.get(`blobs/sha256/${digest.slice(7)}`)!.content;
      expect(sha256(blob)).toBe(digest);
      expect(blob.length).toBe(size);
    }
  });

  test('prints the image index digest it wrote', () => {
    expect(printed).toMatch(new RegExp(`^wrote .*pause\\.tar: oci archive of localhost/pausekit/pause:multi for ${built.length} platforms?, \\d+ bytes$`, 'm'));
    expect(printed).toContain(`${archive.indexDigest} (image index)`);
  });

  const hostBuilt = need(`pause for ${HOST_PLATFORM}`, () => (HOST_ARCH === undefined
    ? `pause is not built for this machine's architecture, ${process.arch}` : buildMissing(HOST_ARCH)));
  test.skipIf(cannotRun('the comparison with the single-platform image', hostBuilt))(
    `carries for ${HOST_PLATFORM} the very image \`--platform ${HOST_PLATFORM}\` writes alone: same manifest, config and layer`,
    async () => {
      const dir = tempDir('image-multi-host');
      cleanup.add('temp dir', () => removeDir(dir));
      await pausekitImage(['--out', join(dir, 'one.tar'), '--platform', HOST_PLATFORM, '--name', 'localhost/pausekit/pause:multi']);
      const one = await readOciArchive(readFileSync(join(dir, 'one.tar')));
      const mine = archive.images.get(HOST_PLATFORM)!;
      expect(mine.manifestDigest).toBe(one.manifestDigest);
      expect(mine.manifest).toEqual(one.manifest);
      expect(mine.config).toEqual(one.config);
    },
  );
});
