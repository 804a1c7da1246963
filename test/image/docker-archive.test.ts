// `pausekit image --format docker` writes what `docker save` writes and
// `podman load` / `docker load` read: manifest.json, the config, and the
// layer as an uncompressed tar.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, removeDir, tempDir } from '../support/host.ts';
import { PAUSE_BINARY, pausekitImage, readOciArchive, readTar } from '../support/engines/images.ts';

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('pausekit image --format docker', () => {
  const cleanup = new Cleanup();
  let entries: Awaited<ReturnType<typeof readTar>>;
  let manifest: { Config: string; RepoTags: string[]; Layers: string[] }[];
  let oci: Awaited<ReturnType<typeof readOciArchive>>;

  beforeAll(async () => {
    const dir = tempDir('image-docker');
    cleanup.add('temp dir', () => removeDir(dir));
    await pausekitImage(['--out', join(dir, 'docker.tar'), '--format', 'docker']);
    await pausekitImage(['--out', join(dir, 'oci.tar')]);
    entries = await readTar(readFileSync(join(dir, 'docker.tar')));
    manifest = JSON.parse(entries.get('manifest.json')!.content.toString());
    oci = await readOciArchive(readFileSync(join(dir, 'oci.tar')));
  });
  afterAll(() => cleanup.run());

  test('lists one image, tagged with its name, with one layer', () => {
    expect(manifest).toHaveLength(1);
    expect(manifest[0]!.RepoTags).toEqual([oci.index.manifests[0]!.annotations!['io.containerd.image.name']]);
    expect(manifest[0]!.Layers).toHaveLength(1);
  });

  test('tags a name given without a tag as latest, as docker load expects', async () => {
    const dir = tempDir('image-docker-tag');
    cleanup.add('temp dir', () => removeDir(dir));
    await pausekitImage(['--out', join(dir, 'untagged.tar'), '--format', 'docker', '--name', 'localhost/untagged']);
    const untagged = JSON.parse((await readTar(readFileSync(join(dir, 'untagged.tar')))).get('manifest.json')!.content.toString());
    expect(untagged[0].RepoTags).toEqual(['localhost/untagged:latest']);
  });

  test('carries the same config as the OCI archive, so both load as the same image ID', () => {
    const config = entries.get(manifest[0]!.Config)!.content;
    expect(sha256(config)).toBe(oci.manifest.config.digest);
    expect(manifest[0]!.Config).toBe(`${oci.manifest.config.digest.slice(7)}.json`);
  });

  test('stores the layer uncompressed: its digest is the diff_id, and it holds /pause', async () => {
    const layer = entries.get(manifest[0]!.Layers[0]!)!.content;
    expect(sha256(layer)).toBe(oci.config.rootfs.diff_ids[0]);
    const files = await readTar(layer);
    expect([...files.keys()]).toEqual(['pause']);
    expect(files.get('pause')!.content.equals(readFileSync(PAUSE_BINARY))).toBe(true);
  });
});
