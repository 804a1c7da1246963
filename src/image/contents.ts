// What goes into pause's image archive, by the rules of `pausekit image`:
// one image (a given binary, one platform, or the docker default), or an
// image index with a manifest for every platform named or, by default,
// every platform built. Each platform's pause comes from its build and must
// be that platform's executable, so an index never claims what a layer is not.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PausekitError, printable } from '../errors.ts';
import { pauseImageSpec, readBinary, type ImageFormat, type ImageSpec } from './oci.ts';
import { DEFAULT_BUILDS, IN_CHECKOUT, PLATFORMS, buildHint, builtPlatforms, hostPlatform, parsePlatforms, platformBinary, platformName, type Platform } from './platforms.ts';

/** What the options ask for; `builds` is where the platforms' builds are. */
export interface ImageRequest {
  format: ImageFormat;
  /** A comma-separated --platform list. */
  platform?: string;
  /** A pause executable to use instead of a build. */
  binary?: string;
  design?: string;
  builds: string;
}

export type ImageContents =
  /** One image: its spec and the size of its /pause. */
  | { kind: 'single'; spec: ImageSpec; pauseBytes: number }
  /** An image index: a spec per platform, and a line for each platform built nowhere (default list only). */
  | { kind: 'index'; specs: ImageSpec[]; leftOut: string[] };

/** The image or images a request makes, read from their files. */
export function imageContents(request: ImageRequest, name: string): ImageContents {
  if (request.binary !== undefined || (request.platform === undefined && request.format === 'docker')) {
    const file = request.binary ?? defaultBinary(request.builds, request.design);
    const hint = request.binary !== undefined ? 'pass the path of a pause executable'
      : IN_CHECKOUT ? "run 'npm run build' to build it, or pass --binary PATH"
      : 'this installation of pausekit is incomplete: reinstall it, or pass --binary PATH';
    const binary = readBinary(file, hint);
    return { kind: 'single', spec: pauseImageSpec(binary, file, name), pauseBytes: binary.length };
  }
  if (request.platform !== undefined) {
    const platforms = parsePlatforms(request.platform);
    if (platforms.length > 1 && request.format === 'docker') {
      throw new PausekitError(
        `image: a docker archive holds one platform, not ${platforms.length} (${platforms.map(platformName).join(', ')}); ` +
          'write an OCI archive (--format oci) for several, or name one --platform',
        { field: '--format', value: request.platform },
      );
    }
    const specs = platformPauseSpecs(request.builds, platforms, name, request.design);
    if (specs.length === 1) return { kind: 'single', spec: specs[0]!, pauseBytes: pauseBytes(specs[0]!) };
    return { kind: 'index', specs, leftOut: [] };
  }
  const platforms = builtPlatforms(request.builds, request.design);
  if (platforms.length === 0) {
    const why = IN_CHECKOUT || request.builds !== DEFAULT_BUILDS ? "run 'npm run build'" : 'this installation of pausekit is incomplete: reinstall it';
    throw new PausekitError(`image: no platform is built (no ${printable(join(request.builds, '<arch>/pause'))}); ${why}`, {
      field: '--builds',
      file: request.builds,
    });
  }
  // Every platform built: one that is not is said, never a silent gap.
  const leftOut = PLATFORMS.filter((p) => !platforms.includes(p)).map((platform) =>
    `leaving out ${platformName(platform)}: no ${printable(platformBinary(request.builds, platform, request.design))} (${buildHint(platform, request.builds)})`);
  return { kind: 'index', specs: platformPauseSpecs(request.builds, platforms, name, request.design), leftOut };
}

/** The size of an image's /pause. */
export function pauseBytes(spec: ImageSpec): number {
  return (spec.files[0] as { content: Buffer }).content.length;
}

/**
 * The docker default: the design's pause for this machine, <builds>/pause
 * (a checkout's own build), else <builds>/<arch>/pause (the package's).
 */
function defaultBinary(builds: string, design?: string): string {
  const program = design === undefined ? 'pause' : `pause-${design}`;
  const own = join(builds, program);
  const host = hostPlatform();
  const prebuilt = host === undefined ? undefined : platformBinary(builds, host, design);
  return existsSync(own) || prebuilt === undefined || !existsSync(prebuilt) ? own : prebuilt;
}

/**
 * The pause image of each platform, from its build (build/native/<arch>/pause,
 * or pause-<design> for a named design; in the image it is /pause either way).
 * A platform not built is an error naming every missing one and how to get
 * it; a binary that is not its platform's executable is an error too.
 */
export function platformPauseSpecs(nativeDir: string, platforms: readonly Platform[], name: string, design?: string): ImageSpec[] {
  const missing = platforms.filter((platform) => !existsSync(platformBinary(nativeDir, platform, design)));
  if (missing.length > 0) {
    throw new PausekitError(
      `image: ${missing
        .map((platform) => `platform ${platformName(platform)} was not built: no ${printable(platformBinary(nativeDir, platform, design))} (${buildHint(platform, nativeDir)})`)
        .join('; ')}`,
      { field: '--platform', value: missing.map(platformName), file: platformBinary(nativeDir, missing[0]!, design) },
    );
  }
  return platforms.map((platform) => {
    const file = platformBinary(nativeDir, platform, design);
    const spec = pauseImageSpec(readBinary(file, buildHint(platform, nativeDir)), file, name);
    const found = platformName(spec);
    if (found !== platformName(platform)) {
      throw new PausekitError(`image: ${printable(file)} is an executable for ${found}, not ${platformName(platform)} (${buildHint(platform, nativeDir)})`, {
        file,
        field: '--platform',
        value: found,
      });
    }
    return spec;
  });
}
