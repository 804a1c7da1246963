// `pausekit image`: write an image archive of the static pause that engines
// load directly (skopeo, podman load, docker load, ctr images import).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommand, usageError } from './args.ts';
import { HeldSignals } from './interrupt.ts';
import { PausekitError, printable } from '../errors.ts';
import {
  IMAGE_FORMATS,
  buildImageArchive,
  normaliseImageName,
  pauseImageSpec,
  readBinary,
  writeFileAtomic,
  type ImageFormat,
} from '../image/oci.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The default static pause, as native/Makefile builds it. */
export const DEFAULT_BINARY = `${ROOT}build/native/pause`;

/** `localhost/pausekit/pause:<package version>`: a name no registry serves. */
export function defaultImageName(): string {
  const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
  return `localhost/pausekit/pause:${version}`;
}

const USAGE = `usage: pausekit image --out FILE.tar [--format oci|docker] [--binary PATH] [--name REF]

  --out FILE     where to write the archive (written whole, or not at all)
  --format F     oci (default): an OCI image archive (skopeo oci-archive:,
                 ctr images import); docker: a docker-archive (podman load,
                 docker load)
  --binary PATH  the pause executable to put at /pause
                 (default: build/native/pause, built by npm install)
  --name REF     the image's name (default: ${defaultImageName()})`;

const SPEC = {
  name: 'image',
  usage: USAGE,
  options: {
    out: { type: 'string' },
    format: { type: 'string', default: 'oci' },
    binary: { type: 'string', default: DEFAULT_BINARY },
    name: { type: 'string', default: defaultImageName() },
  },
} as const;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const { values } = parsed;
  if (values.out === undefined || values.out === '') {
    throw usageError(SPEC, '--out FILE is required', { field: '--out' });
  }
  const format = values.format as ImageFormat;
  if (!IMAGE_FORMATS.includes(format)) {
    throw new PausekitError(`image: unknown --format '${printable(values.format, 60)}' (expected ${IMAGE_FORMATS.join(' or ')})`, {
      field: '--format',
      value: values.format,
    });
  }
  const name = normaliseImageName(values.name);
  const binary = readBinary(values.binary, "run 'npm run build' to build it, or pass --binary PATH");
  // A signal waits for the write: the archive is whole or absent, no temporary file stays.
  const held = new HeldSignals();
  let archive: Awaited<ReturnType<typeof buildImageArchive>>;
  try {
    archive = await buildImageArchive(pauseImageSpec(binary, values.binary, name), format);
    await held.checkpoint('nothing was written');
    writeFileAtomic(values.out, archive.bytes);
    await held.checkpoint(`${printable(values.out)} was written whole`);
  } finally {
    held.release();
  }
  process.stdout.write(
    [
      `wrote ${values.out}: ${format} archive of ${name}, ${archive.bytes.length} bytes`,
      ...(format === 'oci' ? [`  digest    ${archive.manifestDigest}`] : []),
      `  image id  ${archive.configDigest}`,
      // docker-archive layers are stored uncompressed: their digest is the diff_id.
      `  layer     ${format === 'oci' ? archive.layerDigest : archive.diffId} (${binary.length}-byte /pause)`,
      '',
    ].join('\n'),
  );
  return 0;
}
