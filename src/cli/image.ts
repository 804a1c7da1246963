// `pausekit image`: write an image archive of the static pause that engines
// load directly (skopeo, podman load, docker load, ctr images import): one
// image for one platform, or one image index with a manifest per platform.
// What goes in is src/image/contents.ts's; here, the options and the output.
import { choice, given, parseCommand, usageError } from './args.ts';
import { HeldSignals } from './interrupt.ts';
import { packageVersion } from './version.ts';
import { PausekitError, printable } from '../errors.ts';
import { imageContents, pauseBytes, type ImageContents } from '../image/contents.ts';
import { IMAGE_FORMATS, buildImageArchive, buildIndexArchive, normaliseImageName, writeFileAtomic, type ImageFormat } from '../image/oci.ts';
import { DEFAULT_BUILDS, PLATFORMS, platformName } from '../image/platforms.ts';
import { DESIGNS } from '../scenario/types.ts';

/** `localhost/pausekit/pause:<package version>`: a name no registry serves. */
export function defaultImageName(): string {
  return `localhost/pausekit/pause:${packageVersion()}`;
}

const USAGE = `usage: pausekit image --out FILE.tar [--platform LIST | --binary PATH] [--design D]
                      [--format oci|docker] [--name REF] [--builds DIR]

  --out FILE       where to write the archive (written whole, or not at all)
  --platform LIST  comma-separated platforms among
                   ${PLATFORMS.slice(0, 3).map(platformName).join(', ')},
                   ${PLATFORMS.slice(3).map(platformName).join(', ')},
                   each one's pause from <builds>/<arch>/pause. Several: one
                   image index with a manifest per platform; one: a
                   single-platform image. Default: every platform built
                   (oci), this machine's pause (docker)
  --format F       oci (default): an OCI image archive (skopeo oci-archive:,
                   ctr images import); docker: a docker-archive (podman load,
                   docker load), one platform only
  --binary PATH    the pause executable to put at /pause instead: a
                   single-platform image, of the platform its ELF header names
  --design D       which build goes to /pause: ${DESIGNS.join(', ')}
                   (<builds>/<arch>/pause-D); default: <builds>/<arch>/pause,
                   the sigwait design
  --name REF       the image's name (default: ${defaultImageName()})
  --builds DIR     where the builds are, <arch>/pause for each platform
                   (default: pausekit's own, build/native; make -C native
                   OUT=DIR in a checkout writes such a tree)
  --help           this text`;

const SPEC = {
  name: 'image',
  usage: USAGE,
  options: {
    out: { type: 'string' },
    format: { type: 'string', default: 'oci' },
    platform: { type: 'string' },
    binary: { type: 'string' },
    design: { type: 'string' },
    name: { type: 'string', default: defaultImageName() },
    builds: { type: 'string', default: DEFAULT_BUILDS },
  },
} as const;

/**
 * Writes the archive through a temporary name and a rename. A signal waits
 * for the write: the archive is whole or absent, and no temporary file stays.
 */
async function writeWhole(out: string, bytes: Buffer): Promise<void> {
  const held = new HeldSignals();
  try {
    await held.checkpoint('nothing was written');
    writeFileAtomic(out, bytes);
    await held.checkpoint(`${printable(out)} was written whole`);
  } finally {
    held.release();
  }
}

/** The options, each checked, with the combinations that do not apply refused. */
function imageOptions(parsed: NonNullable<ReturnType<typeof parseCommand<typeof SPEC.options>>>) {
  const { values } = parsed;
  if (values.out === undefined || values.out === '') throw usageError(SPEC, '--out FILE is required', { field: '--out' });
  const format = values.format as ImageFormat;
  if (!IMAGE_FORMATS.includes(format)) {
    throw new PausekitError(`image: unknown --format '${printable(values.format, 60)}' (expected ${IMAGE_FORMATS.join(' or ')})`, {
      field: '--format',
      value: values.format,
    });
  }
  for (const option of ['platform', 'design', 'builds'] as const) {
    if (values.binary !== undefined && given(parsed, option)) {
      throw usageError(SPEC, `--binary and --${option} both say what goes in the image: give one of them`, { field: `--${option}`, value: values[option] });
    }
  }
  const design = values.design === undefined ? undefined : choice('image', 'design', values.design, DESIGNS);
  return { out: values.out, format, platform: values.platform, binary: values.binary, design, name: normaliseImageName(values.name),
    builds: values.builds.replace(/\/+$/, '') || '/' };
}

/** What was written: the archive, its digests, the size of each /pause. */
async function writeArchive(out: string, format: ImageFormat, name: string, contents: ImageContents): Promise<string[]> {
  if (contents.kind === 'single') {
    const archive = await buildImageArchive(contents.spec, format);
    await writeWhole(out, archive.bytes);
    return [
      `wrote ${out}: ${format} archive of ${name}, ${archive.bytes.length} bytes`,
      ...(format === 'oci' ? [`  digest    ${archive.manifestDigest}`] : []),
      `  image id  ${archive.configDigest}`,
      // docker-archive layers are stored uncompressed: their digest is the diff_id.
      `  layer     ${format === 'oci' ? archive.layerDigest : archive.diffId} (${contents.pauseBytes}-byte /pause)`,
    ];
  }
  const { specs } = contents;
  const archive = await buildIndexArchive(name, specs);
  await writeWhole(out, archive.bytes);
  const rows: [string, string][] = [
    ['digest', `${archive.indexDigest} (image index)`],
    ...archive.images.map((image, i): [string, string] => [image.platform, `${image.manifestDigest} (${pauseBytes(specs[i]!)}-byte /pause)`]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `wrote ${out}: oci archive of ${name} for ${specs.length} platform${specs.length === 1 ? '' : 's'}, ${archive.bytes.length} bytes`,
    ...rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`),
  ];
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const options = imageOptions(parsed);
  const contents = imageContents(options, options.name);
  if (contents.kind === 'index') for (const line of contents.leftOut) process.stderr.write(`pausekit image: ${line}\n`);
  const lines = await writeArchive(options.out, options.format, options.name, contents);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
