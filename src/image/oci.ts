// Container images without a container engine: a set of files and a config
// become one gzip layer and an OCI image archive (or a docker-archive),
// byte for byte the same on every run. Both pausekit's pause image and the
// busybox image the engine tests use come out of this one code path.
//
// Reproducible by construction: every tar entry has mtime 0, owner 0:0 and
// no user or group names; entries are sorted by path; the gzip header has no
// timestamp and a fixed OS byte; JSON is written with a fixed key order.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { PausekitError, printable } from '../errors.ts';
import { platformName } from './platforms.ts';

export type ImageFormat = 'oci' | 'docker';
export const IMAGE_FORMATS: readonly ImageFormat[] = ['oci', 'docker'];

/** One entry of the image's single layer; paths are relative to `/`. */
export type ImageFile =
  | { type: 'file'; path: string; mode: number; content: Buffer }
  | { type: 'directory'; path: string; mode: number }
  | { type: 'symlink'; path: string; target: string };

/** Everything an image is made of. */
export interface ImageSpec {
  /** Full reference the archive names the image by, e.g. `localhost/pausekit/pause:0.2.0`. */
  name: string;
  /** OCI platform, e.g. `linux` / `amd64` (see elfPlatform). */
  os: string;
  architecture: string;
  variant?: string;
  entrypoint?: string[];
  cmd?: string[];
  /** `uid:gid` the process runs as. */
  user: string;
  env?: string[];
  files: ImageFile[];
}

/** The archive's bytes and the digests an engine will report for it. */
export interface ImageArchive {
  format: ImageFormat;
  bytes: Buffer;
  /** sha256 of the manifest: the image digest skopeo and registries show. */
  manifestDigest: string;
  /** sha256 of the config: the image ID podman and docker show. */
  configDigest: string;
  /** sha256 of the gzip layer blob. */
  layerDigest: string;
  /** sha256 of the uncompressed layer tar (rootfs.diff_ids). */
  diffId: string;
}

export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';

/** The epoch: every timestamp in the image, so nothing depends on when it was built. */
const EPOCH = new Date(0);
const EPOCH_ISO = '1970-01-01T00:00:00Z';

/** The OS byte of the gzip header: 255 "unknown", as Go's compress/gzip writes. */
const GZIP_OS_UNKNOWN = 255;

// ELF e_machine numbers and the OCI architecture names they map to.
// Width and byte order come from e_ident, for the names that depend on them.
const ELF_MACHINES: Record<number, (is64: boolean, littleEndian: boolean) => { architecture: string; variant?: string }> = {
  3: () => ({ architecture: '386' }),
  8: (_is64, le) => ({ architecture: le ? 'mipsle' : 'mips' }),
  21: (_is64, le) => ({ architecture: le ? 'ppc64le' : 'ppc64' }),
  22: () => ({ architecture: 's390x' }),
  40: () => ({ architecture: 'arm', variant: 'v7' }),
  62: () => ({ architecture: 'amd64' }),
  183: () => ({ architecture: 'arm64' }),
  243: (is64) => ({ architecture: is64 ? 'riscv64' : 'riscv32' }),
  258: () => ({ architecture: 'loong64' }),
};

/**
 * The OCI platform of a Linux executable, read from its ELF header, so the
 * image says what the binary really is, whatever machine wrote the image.
 */
export function elfPlatform(bytes: Buffer, file: string): { os: 'linux'; architecture: string; variant?: string } {
  if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46) {
    throw new PausekitError(`${printable(file)} is not an ELF executable (no ELF magic at byte 0)`, { file, field: 'binary' });
  }
  const is64 = bytes[4] === 2;
  const littleEndian = bytes[5] === 1;
  const machine = littleEndian ? bytes.readUInt16LE(18) : bytes.readUInt16BE(18);
  const platform = ELF_MACHINES[machine];
  if (platform === undefined) {
    throw new PausekitError(`${printable(file)} is built for ELF machine ${machine}, which has no OCI architecture name here`, {
      file,
      field: 'e_machine',
      value: machine,
    });
  }
  return { os: 'linux', ...platform(is64, littleEndian) };
}

/** `sha256:<hex>` of some bytes. */
export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function hex(digest: string): string {
  return digest.slice('sha256:'.length);
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Collapse `./`, leading and trailing slashes: tar names are relative to `/`. */
function normalisePath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..')) {
    throw new PausekitError(`image path '${path}' must name something below /, without '..'`, {
      field: 'files.path',
      value: path,
    });
  }
  return parts.join('/');
}

type TarEntry = { header: Partial<tar.Header> & { name: string }; content?: Buffer };

/** Make a tar stream of the entries, sorted by name, with fixed metadata. */
async function packTar(entries: TarEntry[]): Promise<Buffer> {
  const sorted = [...entries].sort((a, b) => (a.header.name < b.header.name ? -1 : a.header.name > b.header.name ? 1 : 0));
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { header, content } of sorted) {
    const fixed: TarEntry['header'] = { mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '', ...header };
    await new Promise<void>((resolve, reject) => {
      pack.entry(fixed, content ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/**
 * The layer's entries: the files, plus every parent directory not listed,
 * so that extracting the layer never depends on implicit directories.
 */
function layerEntries(files: ImageFile[]): TarEntry[] {
  const byName = new Map<string, TarEntry>();
  for (const file of files) {
    const name = normalisePath(file.path);
    if (byName.has(name) || byName.has(`${name}/`)) {
      throw new PausekitError(`image path '${file.path}' is listed twice`, { field: 'files.path', value: file.path });
    }
    if (file.type === 'file') {
      byName.set(name, { header: { name, type: 'file', mode: file.mode, size: file.content.length }, content: file.content });
    } else if (file.type === 'directory') {
      byName.set(`${name}/`, { header: { name: `${name}/`, type: 'directory', mode: file.mode } });
    } else {
      byName.set(name, { header: { name, type: 'symlink', mode: 0o777, linkname: file.target } });
    }
  }
  for (const name of [...byName.keys()]) {
    const parts = name.replace(/\/$/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (!byName.has(dir)) byName.set(dir, { header: { name: dir, type: 'directory', mode: 0o755 } });
    }
  }
  return [...byName.values()];
}

/** gzip with no timestamp (zlib writes 0) and the OS byte fixed. */
function gzip(bytes: Buffer): Buffer {
  const gz = gzipSync(bytes, { level: 9 });
  gz.writeUInt32LE(0, 4);
  gz[9] = GZIP_OS_UNKNOWN;
  return gz;
}

/** The image config shared by both formats (so the image ID is the same). */
function imageConfig(spec: ImageSpec, diffId: string): Buffer {
  const config: Record<string, unknown> = { User: spec.user };
  if (spec.env !== undefined) config.Env = spec.env;
  if (spec.entrypoint !== undefined) config.Entrypoint = spec.entrypoint;
  if (spec.cmd !== undefined) config.Cmd = spec.cmd;
  config.WorkingDir = '/';
  return json({
    created: EPOCH_ISO,
    architecture: spec.architecture,
    ...(spec.variant !== undefined ? { variant: spec.variant } : {}),
    os: spec.os,
    config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: EPOCH_ISO, created_by: 'pausekit image' }],
  });
}

// An image reference as docker and containers/image parse it (without a
// digest): [domain[:port]/]path[/path...][:tag]. The first part is a
// domain only if it has a dot or a port or is localhost; paths are lowercase.
const DOMAIN = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;

function isReference(name: string): boolean {
  const parts = name.split('/');
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!DOMAIN.test(first)) return false;
    parts.shift();
  }
  const last = parts.pop()!;
  const colon = last.indexOf(':');
  const [repo, tag] = colon < 0 ? [last, undefined] : [last.slice(0, colon), last.slice(colon + 1)];
  return [...parts, repo].every((part) => PATH_COMPONENT.test(part)) && (tag === undefined || TAG.test(tag));
}

/**
 * Check an image name and give it a tag (`latest` if it has none), so that
 * every engine loads the archive under the name the user asked for.
 */
export function normaliseImageName(name: string): string {
  if (!isReference(name)) {
    throw new PausekitError(
      `'${printable(name, 80)}' is not a valid image name (expected e.g. registry.example.com/pause:1.0; lowercase path, optional :tag)`,
      { field: '--name', value: name },
    );
  }
  return tagOf(name) === undefined ? `${name}:latest` : name;
}

/** The tag part of a reference, if it has one. */
function tagOf(name: string): string | undefined {
  const last = name.slice(name.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 ? undefined : last.slice(colon + 1);
}

/** One image's blobs, and the digests that name them. */
interface ImageBlobs {
  layerTar: Buffer;
  diffId: string;
  layer: Buffer;
  layerDigest: string;
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestDigest: string;
}

/** The layer, config and manifest of one image (one platform). */
async function imageBlobs(spec: ImageSpec): Promise<ImageBlobs> {
  const layerTar = await packTar(layerEntries(spec.files));
  const diffId = sha256(layerTar);
  const layer = gzip(layerTar);
  const layerDigest = sha256(layer);
  const config = imageConfig(spec, diffId);
  const configDigest = sha256(config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: { mediaType: MEDIA_TYPE_CONFIG, digest: configDigest, size: config.length },
    layers: [{ mediaType: MEDIA_TYPE_LAYER, digest: layerDigest, size: layer.length }],
  });
  return { layerTar, diffId, layer, layerDigest, config, configDigest, manifest, manifestDigest: sha256(manifest) };
}

const dirEntry = (name: string): TarEntry => ({ header: { name, type: 'directory', mode: 0o755 } });
const fileEntry = (name: string, content: Buffer): TarEntry => ({
  header: { name, type: 'file', mode: 0o644, size: content.length },
  content,
});

/** The names containerd (import) and OCI tools (skopeo, podman) read an image's name from. */
function nameAnnotations(name: string): Record<string, string | undefined> {
  return {
    'io.containerd.image.name': name,
    'org.opencontainers.image.ref.name': tagOf(name),
  };
}

/** An OCI image layout: oci-layout, index.json, and the blobs, each once. */
async function ociLayout(index: Buffer, blobs: Buffer[]): Promise<Buffer> {
  const byName = new Map<string, Buffer>();
  for (const blob of blobs) byName.set(`blobs/sha256/${hex(sha256(blob))}`, blob);
  return packTar([
    fileEntry('oci-layout', json({ imageLayoutVersion: '1.0.0' })),
    fileEntry('index.json', index),
    dirEntry('blobs/'),
    dirEntry('blobs/sha256/'),
    ...[...byName].map(([name, blob]) => fileEntry(name, blob)),
  ]);
}

/** Build the whole archive in memory: images this small need no streaming. */
export async function buildImageArchive(spec: ImageSpec, format: ImageFormat): Promise<ImageArchive> {
  const name = normaliseImageName(spec.name);
  const { layerTar, diffId, layer, layerDigest, config, configDigest, manifest, manifestDigest } = await imageBlobs(spec);

  let bytes: Buffer;
  if (format === 'oci') {
    const index = json({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_INDEX,
      manifests: [
        {
          mediaType: MEDIA_TYPE_MANIFEST,
          digest: manifestDigest,
          size: manifest.length,
          annotations: nameAnnotations(name),
        },
      ],
    });
    bytes = await ociLayout(index, [layer, config, manifest]);
  } else {
    // docker save's layout: manifest.json names the config and the layers
    // (uncompressed tars, whose digests are the diff_ids).
    const layerDir = hex(diffId);
    const dockerManifest = json([{ Config: `${hex(configDigest)}.json`, RepoTags: [name], Layers: [`${layerDir}/layer.tar`] }]);
    bytes = await packTar([
      fileEntry('manifest.json', dockerManifest),
      fileEntry(`${hex(configDigest)}.json`, config),
      dirEntry(`${layerDir}/`),
      fileEntry(`${layerDir}/VERSION`, Buffer.from('1.0')),
      fileEntry(`${layerDir}/layer.tar`, layerTar),
    ]);
  }
  return { format, bytes, manifestDigest, configDigest, layerDigest, diffId };
}

/** One platform's image in a multi-platform archive. */
export interface PlatformImage {
  /** `linux/arm/v7` */
  platform: string;
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
  diffId: string;
}

/** A multi-platform OCI archive's bytes and digests. */
export interface IndexArchive {
  bytes: Buffer;
  /** sha256 of the image index: the digest a registry shows for the multi-platform image. */
  indexDigest: string;
  /** In index order. */
  images: PlatformImage[];
}

/**
 * One OCI image archive holding an image index with a manifest per platform,
 * as `docker buildx` and `ctr export --all-platforms` write it: index.json
 * names one image (the nested index, with the image's name), and the index
 * lists each platform's manifest with its `platform`. Each platform is one
 * image of its own (config, single layer). Platforms stay in the order given.
 */
export async function buildIndexArchive(name: string, specs: Omit<ImageSpec, 'name'>[]): Promise<IndexArchive> {
  const ref = normaliseImageName(name);
  if (specs.length === 0) {
    throw new PausekitError('an image index needs at least one platform', { field: 'platforms', value: 0 });
  }
  const blobs: Buffer[] = [];
  const images: PlatformImage[] = [];
  const descriptors: Record<string, unknown>[] = [];
  for (const spec of specs) {
    const platform = { architecture: spec.architecture, os: spec.os, ...(spec.variant !== undefined ? { variant: spec.variant } : {}) };
    const named = platformName(spec);
    if (images.some((image) => image.platform === named)) {
      throw new PausekitError(`platform ${named} is listed twice for one image index`, { field: 'platforms', value: named });
    }
    const image = await imageBlobs({ ...spec, name: ref });
    blobs.push(image.layer, image.config, image.manifest);
    descriptors.push({ mediaType: MEDIA_TYPE_MANIFEST, digest: image.manifestDigest, size: image.manifest.length, platform });
    images.push({
      platform: named,
      manifestDigest: image.manifestDigest,
      configDigest: image.configDigest,
      layerDigest: image.layerDigest,
      diffId: image.diffId,
    });
  }
  const imageIndex = json({ schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: descriptors });
  const indexDigest = sha256(imageIndex);
  const index = json({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_INDEX,
    manifests: [{ mediaType: MEDIA_TYPE_INDEX, digest: indexDigest, size: imageIndex.length, annotations: nameAnnotations(ref) }],
  });
  return { bytes: await ociLayout(index, [...blobs, imageIndex]), indexDigest, images };
}

/** Why a write failed, in terms of the path the user gave (not our temp file). */
function describeWriteError(error: NodeJS.ErrnoException, file: string): string {
  switch (error.code) {
    case 'ENOENT':
      return existsSync(dirname(file)) ? 'no such file or directory' : `directory ${dirname(file)} does not exist`;
    case 'ENOTDIR':
      return `${dirname(file)} is not a directory`;
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${dirname(file)}`;
    case 'EROFS':
      return `${dirname(file)} is on a read-only file system`;
    default:
      return error.code ?? error.message;
  }
}

/**
 * Write bytes to `file` atomically: a temporary file next to it, then a
 * rename, so a failure never leaves a partial archive at `file`.
 */
export function writeFileAtomic(file: string, bytes: Buffer): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w', 0o644);
    writeFileSync(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      rmSync(temp, { force: true });
    } catch {
      // never created: its directory is missing or not a directory
    }
    throw new PausekitError(printable(`cannot write ${file}: ${describeWriteError(error as NodeJS.ErrnoException, file)}`), {
      file,
      field: '--out',
      code: (error as NodeJS.ErrnoException).code,
    });
  }
}

/** The Kubernetes-style pause image: one file, /pause, run as 65535:65535. */
export function pauseImageSpec(binary: Buffer, binaryFile: string, name: string): ImageSpec {
  return {
    name,
    ...elfPlatform(binary, binaryFile),
    entrypoint: ['/pause'],
    user: '65535:65535',
    files: [{ type: 'file', path: 'pause', mode: 0o755, content: binary }],
  };
}

/** Read a binary for an image, with a clear error when it is not there. */
export function readBinary(file: string, hint: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PausekitError(
      printable(code === 'ENOENT' ? `no binary at ${file}; ${hint}` : `cannot read ${file}: ${(error as Error).message}`),
      { file, field: '--binary' },
    );
  }
}
