// `pausekit image`: write an image archive of the static pause that engines
// load directly (skopeo, podman load, docker load, ctr images import): one
// image for one platform, or one image index with a manifest per platform.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { choice, parseCommand, usageError } from './args.ts';
import { HeldSignals } from './interrupt.ts';
import { PausekitError, printable } from '../errors.ts';
import { nativeProgram } from '../engines/kernel/engine.ts';
import {
  IMAGE_FORMATS,
  buildImageArchive,
  buildIndexArchive,
  normaliseImageName,
  pauseImageSpec,
  platformPauseSpecs,
  readBinary,
  writeFileAtomic,
  type ImageFormat,
  type ImageSpec,
} from '../image/oci.ts';
import { PLATFORMS, buildHint, builtPlatforms, parsePlatforms, platformBinary, platformName } from '../image/platforms.ts';
import { DESIGNS } from '../scenario/types.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where native/Makefile writes the builds. */
export const NATIVE_DIR = `${ROOT}build/native`;

/** `localhost/pausekit/pause:<package version>`: a name no registry serves. */
export function defaultImageName(): string {
  const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
  return `localhost/pausekit/pause:${version}`;
}

const USAGE = `usage: pausekit image --out FILE.tar [--platform LIST | --binary PATH] [--design D] [--format oci|docker] [--name REF] [--builds DIR]

  --out FILE       where to write the archive (written whole, or not at all)
  --platform LIST  comma-separated platforms among
                   ${PLATFORMS.slice(0, 3).map(platformName).join(', ')},
                   ${PLATFORMS.slice(3).map(platformName).join(', ')},
                   each one's pause from <builds>/<arch>/pause. Several: one
                   image index with a manifest per platform; one: a
                   single-platform image. Default: every platform built
                   (oci), <builds>/pause (docker)
  --format F       oci (default): an OCI image archive (skopeo oci-archive:,
                   ctr images import); docker: a docker-archive (podman load,
                   docker load), one platform only
  --binary PATH    the pause executable to put at /pause instead: a
                   single-platform image, of the platform its ELF header names
  --design D       which build goes to /pause: ${DESIGNS.join(', ')}
                   (<builds>/<arch>/pause-D); default: <builds>/<arch>/pause,
                   the sigwait design
  --name REF       the image's name (default: ${defaultImageName()})
  --builds DIR     where native/Makefile built pause (make -C native OUT=DIR;
                   default: build/native)`;

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
    builds: { type: 'string', default: NATIVE_DIR },
  },
} as const;

/** `  <label>  <digest> (<n>-byte /pause)` lines, labels padded to one width. */
function lines(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`);
}

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
  if (values.binary !== undefined && values.platform !== undefined) {
    throw usageError(SPEC, '--binary and --platform both say what goes in the image: give one of them', {
      field: '--platform',
      value: values.platform,
    });
  }
  if (values.binary !== undefined && values.design !== undefined) {
    throw usageError(SPEC, '--binary and --design both say what goes in the image: give one of them', {
      field: '--design',
      value: values.design,
    });
  }
  const design = values.design === undefined ? undefined : choice('image', 'design', values.design, DESIGNS);
  const name = normaliseImageName(values.name);
  const builds = values.builds.replace(/\/+$/, '') || '/';

  // One image: --binary, one --platform, or the docker default.
  let single: { spec: ImageSpec; bytes: number } | undefined;
  let specs: ImageSpec[] = [];
  if (values.binary !== undefined || (values.platform === undefined && format === 'docker')) {
    // The default build tree: the checkout's build, else the package's prebuilt pause.
    const program = design === undefined ? 'pause' : `pause-${design}`;
    const file = values.binary ?? (builds === NATIVE_DIR ? nativeProgram(program) : join(builds, program));
    const binary = readBinary(file, "run 'npm run build' to build it, or pass --binary PATH");
    single = { spec: pauseImageSpec(binary, file, name), bytes: binary.length };
  } else {
    let platforms;
    if (values.platform !== undefined) {
      platforms = parsePlatforms(values.platform);
      if (platforms.length > 1 && format === 'docker') {
        throw new PausekitError(
          `image: a docker archive holds one platform, not ${platforms.length} (${platforms.map(platformName).join(', ')}); ` +
            'write an OCI archive (--format oci) for several, or name one --platform',
          { field: '--format', value: values.platform },
        );
      }
    } else {
      platforms = builtPlatforms(builds, design);
      if (platforms.length === 0) {
        throw new PausekitError(`image: no platform is built (no ${join(builds, '<arch>/pause')}); run 'npm run build'`, {
          field: '--builds',
          file: builds,
        });
      }
      // Every platform built: one that is not is said, never a silent gap.
      for (const platform of PLATFORMS.filter((p) => !platforms!.includes(p))) {
        process.stderr.write(
          `pausekit image: leaving out ${platformName(platform)}: no ${platformBinary(builds, platform, design)} (${buildHint(platform)})\n`,
        );
      }
    }
    specs = platformPauseSpecs(builds, platforms, name, design);
    if (values.platform !== undefined && platforms.length === 1) {
      single = { spec: specs[0]!, bytes: (specs[0]!.files[0] as { content: Buffer }).content.length };
    }
  }

  if (single !== undefined) {
    const archive = await buildImageArchive(single.spec, format);
    await writeWhole(values.out, archive.bytes);
    process.stdout.write(
      [
        `wrote ${values.out}: ${format} archive of ${name}, ${archive.bytes.length} bytes`,
        ...(format === 'oci' ? [`  digest    ${archive.manifestDigest}`] : []),
        `  image id  ${archive.configDigest}`,
        // docker-archive layers are stored uncompressed: their digest is the diff_id.
        `  layer     ${format === 'oci' ? archive.layerDigest : archive.diffId} (${single.bytes}-byte /pause)`,
        '',
      ].join('\n'),
    );
    return 0;
  }

  const archive = await buildIndexArchive(name, specs);
  await writeWhole(values.out, archive.bytes);
  const size = (spec: ImageSpec): number => (spec.files[0] as { content: Buffer }).content.length;
  process.stdout.write(
    [
      `wrote ${values.out}: oci archive of ${name} for ${specs.length} platform${specs.length === 1 ? '' : 's'}, ${archive.bytes.length} bytes`,
      ...lines([
        ['digest', `${archive.indexDigest} (image index)`],
        ...archive.images.map((image, i): [string, string] => [image.platform, `${image.manifestDigest} (${size(specs[i]!)}-byte /pause)`]),
      ]),
      '',
    ].join('\n'),
  );
  return 0;
}
