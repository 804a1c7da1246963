// The images the engine tests run: pausekit's pause image (written by the
// real `pausekit image` command) and a busybox image written by the same
// code path from Debian's static busybox, which plays the application.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { buildImageArchive, elfPlatform, type ImageFile, type ImageFormat } from '../../../src/image/oci.ts';
import { BUSYBOX, ok } from '../processes.ts';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const PAUSE_BINARY = join(ROOT, 'build/native/pause');
export { BUSYBOX };

/** OCI names for node's process.arch, as an independent check of the image. */
export const OCI_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

/** Run `pausekit image` as a user would; returns its stdout. */
export function pausekitImage(args: string[]): Promise<string> {
  return ok(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'image', ...args]);
}

/** Read a tar archive into a map of entry name to header and content. */
export async function readTar(bytes: Buffer): Promise<Map<string, { header: tar.Header; content: Buffer }>> {
  const entries = new Map<string, { header: tar.Header; content: Buffer }>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.set(entry.header.name, { header: entry.header, content: Buffer.concat(chunks) });
    }
  })();
  extract.end(bytes);
  await done;
  return entries;
}

/** linux/<arch>[/<variant>] of this machine, as an image index names it (arm: v7, the variant pausekit builds). */
export const HOST_PLATFORM = `linux/${OCI_ARCH[process.arch] ?? process.arch}${process.arch === 'arm' ? '/v7' : ''}`;

type Entries = Map<string, { header: tar.Header; content: Buffer }>;

export interface OciPlatform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface OciImage {
  entries: Entries;
  index: { manifests: { digest: string; mediaType: string; size: number; annotations?: Record<string, string> }[] };
  manifestDigest: string;
  manifest: { config: { digest: string; size: number }; layers: { digest: string; size: number; mediaType: string }[] };
  config: {
    architecture: string;
    os: string;
    variant?: string;
    config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; Env?: string[] };
    rootfs: { diff_ids: string[] };
  };
  /** The single layer, uncompressed. */
  layer: Buffer;
}

/** A multi-platform archive: index.json names one image index, which lists a manifest per platform. */
export interface OciIndexImage {
  entries: Entries;
  index: OciImage['index'];
  indexDigest: string;
  imageIndex: {
    mediaType: string;
    manifests: { digest: string; mediaType: string; size: number; platform: OciPlatform }[];
  };
  /** Each platform's image, by `linux/arm/v7`-style name, in index order. */
  images: Map<string, OciImage>;
}

const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';

/** The blobs and files of an archive, read by digest or name; a missing one is an error. */
function archiveReader(entries: Entries) {
  const blob = (digest: string): Buffer => {
    const entry = entries.get(`blobs/sha256/${digest.replace('sha256:', '')}`);
    if (entry === undefined) throw new Error(`archive has no blob ${digest}`);
    return entry.content;
  };
  const text = (name: string): string => {
    const entry = entries.get(name);
    if (entry === undefined) throw new Error(`archive has no ${name}`);
    return entry.content.toString('utf8');
  };
  return { blob, text };
}

/** The image a manifest names: its config and its one layer (uncompressed). */
function imageOf(entries: Entries, index: OciImage['index'], manifestDigest: string): OciImage {
  const { blob } = archiveReader(entries);
  const manifest = JSON.parse(blob(manifestDigest).toString('utf8')) as OciImage['manifest'];
  const config = JSON.parse(blob(manifest.config.digest).toString('utf8')) as OciImage['config'];
  const layer = gunzipSync(blob(manifest.layers[0]!.digest));
  return { entries, index, manifestDigest, manifest, config, layer };
}

/** Follow a multi-platform OCI archive from index.json to every platform's image. */
export async function readOciIndexArchive(bytes: Buffer): Promise<OciIndexImage> {
  const entries = await readTar(bytes);
  const { blob, text } = archiveReader(entries);
  const index = JSON.parse(text('index.json')) as OciImage['index'];
  if (index.manifests.length !== 1 || index.manifests[0]!.mediaType !== MEDIA_TYPE_INDEX) {
    throw new Error(`index.json does not name one image index: ${JSON.stringify(index)}`);
  }
  const indexDigest = index.manifests[0]!.digest;
  const imageIndex = JSON.parse(blob(indexDigest).toString('utf8')) as OciIndexImage['imageIndex'];
  const images = new Map<string, OciImage>();
  for (const { digest, platform } of imageIndex.manifests) {
    const name = [platform.os, platform.architecture, ...(platform.variant ? [platform.variant] : [])].join('/');
    images.set(name, imageOf(entries, index, digest));
  }
  return { entries, index, indexDigest, imageIndex, images };
}

/**
 * Follow an OCI image archive from index.json to its one image, or, in a
 * multi-platform archive, to the image of `platform` (default: this machine's).
 */
export async function readOciArchive(bytes: Buffer, platform = HOST_PLATFORM): Promise<OciImage> {
  const entries = await readTar(bytes);
  const index = JSON.parse(archiveReader(entries).text('index.json')) as OciImage['index'];
  if (index.manifests[0]?.mediaType !== MEDIA_TYPE_INDEX) return imageOf(entries, index, index.manifests[0]!.digest);
  const image = (await readOciIndexArchive(bytes)).images.get(platform);
  if (image === undefined) throw new Error(`the archive's image index has no manifest for ${platform}`);
  return image;
}

/** Unpack a layer tar into a directory: files, directories and symlinks. */
export async function unpackLayer(layer: Buffer, dir: string): Promise<void> {
  for (const [name, { header, content }] of await readTar(layer)) {
    const path = join(dir, name);
    if (header.type === 'directory') {
      mkdirSync(path, { recursive: true, mode: header.mode });
    } else if (header.type === 'symlink') {
      mkdirSync(dirname(path), { recursive: true });
      symlinkSync(header.linkname, path);
    } else if (header.type === 'file') {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      chmodSync(path, header.mode);
    } else {
      throw new Error(`unexpected ${header.type} entry ${name} in a layer`);
    }
  }
}

/** busybox at /bin/busybox with every applet linked beside it. */
export function busyboxFiles(): ImageFile[] {
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => name !== '' && name !== 'busybox');
  return [
    { type: 'file', path: 'bin/busybox', mode: 0o755, content: readFileSync(BUSYBOX) },
    ...applets.map((name): ImageFile => ({ type: 'symlink', path: `bin/${name}`, target: 'busybox' })),
    { type: 'directory', path: 'tmp', mode: 0o1777 },
    // So that ps and id show names, as in the Docker Hub busybox.
    { type: 'file', path: 'etc/passwd', mode: 0o644, content: Buffer.from('root:x:0:0:root:/root:/bin/sh\n') },
    { type: 'file', path: 'etc/group', mode: 0o644, content: Buffer.from('root:x:0:\n') },
  ];
}

/**
 * Write a busybox image archive to `file`. With an entrypoint it can play
 * an infra container that ignores SIGTERM (busybox sleep as PID 1); extra
 * files go in beside busybox (pause, for an image whose entrypoint it is).
 */
export async function writeBusyboxImage(
  file: string,
  format: ImageFormat,
  name: string,
  entrypoint?: string[],
  extraFiles: ImageFile[] = [],
): Promise<void> {
  const binary = readFileSync(BUSYBOX);
  const archive = await buildImageArchive(
    {
      name,
      ...elfPlatform(binary, BUSYBOX),
      ...(entrypoint !== undefined ? { entrypoint } : { cmd: ['sh'] }),
      user: '0:0',
      env: ['PATH=/bin'],
      files: [...busyboxFiles(), ...extraFiles],
    },
    format,
  );
  writeFileSync(file, archive.bytes);
}
