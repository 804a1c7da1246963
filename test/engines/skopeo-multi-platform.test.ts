// skopeo, the containers/image reference tool, reads pausekit's
// multi-platform archive as an image index: `inspect --raw` lists every
// platform built, and `copy --override-arch` picks that platform's manifest,
// whose layer's /pause runs under qemu-user and reports its version.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, needs, removeDir, tempDir } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { expectedVersionLine, ok, run } from '../support/processes.ts';
import { ARCHES, HOST_ARCH, buildMissing, crossBuilt, underQemu, qemuCommand, type Arch } from '../support/qemu.ts';
import { OCI_ARCH, pausekitImage, readOciIndexArchive, readTar, type OciIndexImage } from '../support/engines/images.ts';

const availability = needs(['skopeo']);
const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const built = ARCHES.filter((arch) => buildMissing(arch) === undefined);
/** skopeo's --override-arch and --override-variant for each architecture. */
const OVERRIDE: Record<Arch, { platform: string; args: string[] }> = {
  amd64: { platform: 'linux/amd64', args: ['--override-arch', 'amd64'] },
  arm64: { platform: 'linux/arm64', args: ['--override-arch', 'arm64'] },
  arm: { platform: 'linux/arm/v7', args: ['--override-arch', 'arm', '--override-variant', 'v7'] },
  ppc64le: { platform: 'linux/ppc64le', args: ['--override-arch', 'ppc64le'] },
  s390x: { platform: 'linux/s390x', args: ['--override-arch', 's390x'] },
  riscv64: { platform: 'linux/riscv64', args: ['--override-arch', 'riscv64'] },
};

describe.skipIf(cannotRun('the skopeo tests', ...availability))(`skopeo and the multi-platform oci-archive`, () => {
  const cleanup = new Cleanup();
  let dir: string;
  let archive: string;
  let written: OciIndexImage;

  beforeAll(async () => {
    dir = tempDir('skopeo-multi');
    cleanup.add('temp dir', () => removeDir(dir));
    archive = join(dir, 'pause.tar');
    await pausekitImage(['--out', archive]);
    written = await readOciIndexArchive(readFileSync(archive));
  });
  afterAll(() => cleanup.run());

  test('inspect --raw shows the image index, listing every platform built with its manifest digest', async () => {
    const raw = await ok('skopeo', ['inspect', '--raw', `oci-archive:${archive}`]);
    expect(sha256(raw)).toBe(written.indexDigest);
    const index = JSON.parse(raw) as { mediaType: string; manifests: { digest: string; platform: { os: string; architecture: string; variant?: string } }[] };
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const listed = index.manifests.map(({ platform }) => [platform.os, platform.architecture, ...(platform.variant ? [platform.variant] : [])].join('/'));
    expect(listed).toEqual(built.map((arch) => OVERRIDE[arch].platform));
    expect(index.manifests.map((m) => m.digest)).toEqual([...written.images.values()].map((image) => image.manifestDigest));
  });

  test("inspect reports the index's digest, and this machine's platform from its manifest", async () => {
    const inspect = JSON.parse(await ok('skopeo', ['inspect', `oci-archive:${archive}`])) as Record<string, unknown>;
    expect(inspect.Digest).toBe(written.indexDigest);
    expect(inspect.Os).toBe('linux');
    expect(inspect.Architecture).toBe(OCI_ARCH[process.arch]);
  });

  for (const arch of built) {
    const { platform, args } = OVERRIDE[arch];
    const native = arch === HOST_ARCH;
    const skip = cannotRun(`running the ${platform} layer's /pause picked by skopeo copy`, native ? crossBuilt(arch) : underQemu(arch));
    test.skipIf(skip)(`copy ${args.join(' ')} picks the ${platform} manifest, and its layer's /pause reports its version`, async () => {
      const target = join(dir, `copy-${arch}`);
      await ok('skopeo', ['copy', '--quiet', ...args, `oci-archive:${archive}`, `dir:${target}`]);
      const manifestBytes = readFileSync(join(target, 'manifest.json'));
      const image = written.images.get(platform)!;
      expect(sha256(manifestBytes)).toBe(image.manifestDigest);
      const manifest = JSON.parse(manifestBytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };
      const config = JSON.parse(readFileSync(join(target, manifest.config.digest.slice(7)), 'utf8')) as Record<string, unknown>;
      expect({ os: config.os, architecture: config.architecture, variant: config.variant }).toEqual({
        os: 'linux',
        architecture: platform.split('/')[1],
        variant: platform.split('/')[2],
      });
      expect(readdirSync(target).sort()).toEqual([manifest.config.digest.slice(7), manifest.layers[0]!.digest.slice(7), 'manifest.json', 'version'].sort());
      const layer = await readTar(gunzipSync(readFileSync(join(target, manifest.layers[0]!.digest.slice(7)))));
      const pause = join(target, 'pause');
      writeFileSync(pause, layer.get('pause')!.content, { mode: 0o755 });
      const result = await run(native ? pause : qemuCommand(arch), native ? ['-v'] : [pause, '-v']);
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: expectedVersionLine(), stderr: '' });
    });
  }
});
