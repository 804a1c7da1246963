// The platforms pausekit builds pause for, named as OCI image indexes name
// them (`os`, `architecture`, `variant`), and where each one's build lives:
// in a checkout, native/Makefile writes build/native/<arch>/pause for every
// architecture whose cross compiler is installed; the npm package carries
// all six prebuilt in its own build/native/<arch>/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PausekitError, printable } from '../errors.ts';

export interface Platform {
  /** The build's directory under build/native/ (native/Makefile's ARCH). */
  arch: string;
  os: 'linux';
  /** OCI `architecture`: GOARCH names. */
  architecture: string;
  /** OCI `variant`, where the spec names one (arm: v7, hard-float). */
  variant?: string;
  /** Other spellings `--platform` accepts for it. */
  aliases: string[];
  /** Debian's package of the cross compiler native/Makefile builds it with. */
  crossPackage: string;
  /** Node's process.arch on a machine of this platform. */
  nodeArch: string;
}

/** Every platform, in the order an image index lists them. */
export const PLATFORMS: readonly Platform[] = [
  { arch: 'amd64', os: 'linux', architecture: 'amd64', aliases: [], crossPackage: 'gcc-x86-64-linux-gnu', nodeArch: 'x64' },
  { arch: 'arm64', os: 'linux', architecture: 'arm64', aliases: ['linux/arm64/v8'], crossPackage: 'gcc-aarch64-linux-gnu', nodeArch: 'arm64' },
  { arch: 'arm', os: 'linux', architecture: 'arm', variant: 'v7', aliases: ['linux/arm'], crossPackage: 'gcc-arm-linux-gnueabihf', nodeArch: 'arm' },
  { arch: 'ppc64le', os: 'linux', architecture: 'ppc64le', aliases: [], crossPackage: 'gcc-powerpc64le-linux-gnu', nodeArch: 'ppc64' },
  { arch: 's390x', os: 'linux', architecture: 's390x', aliases: [], crossPackage: 'gcc-s390x-linux-gnu', nodeArch: 's390x' },
  { arch: 'riscv64', os: 'linux', architecture: 'riscv64', aliases: [], crossPackage: 'gcc-riscv64-linux-gnu', nodeArch: 'riscv64' },
];

/** The checkout's root, or the installed package's: two folders up from src/image/ or dist/image/. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the builds are: the checkout's build/native, or the package's. */
export const DEFAULT_BUILDS = join(ROOT, 'build', 'native');

/** A checkout has native/ to build pause from; the npm package has only its prebuilt builds. */
export const IN_CHECKOUT = existsSync(join(ROOT, 'native', 'Makefile'));

/** `linux/arm64`, `linux/arm/v7`: how docker, podman, skopeo and ctr write a platform. */
export function platformName(platform: { os: string; architecture: string; variant?: string }): string {
  return [platform.os, platform.architecture, ...(platform.variant !== undefined ? [platform.variant] : [])].join('/');
}

/** This machine's platform, if pause is built for it. */
export function hostPlatform(): Platform | undefined {
  return PLATFORMS.find((p) => p.nodeArch === process.arch);
}

/**
 * A comma-separated `--platform` list, in index order, each named once.
 * An unknown or repeated platform is an error naming it and the choices.
 */
export function parsePlatforms(list: string): Platform[] {
  const chosen = new Set<Platform>();
  for (const raw of list.split(',')) {
    const name = raw.trim();
    const platform = PLATFORMS.find((p) => platformName(p) === name || p.aliases.includes(name));
    if (platform === undefined) {
      throw new PausekitError(
        `image: unknown platform '${printable(name, 60)}' in --platform (expected a comma-separated list of ${PLATFORMS.map(platformName).join(', ')})`,
        { field: '--platform', value: name },
      );
    }
    if (chosen.has(platform)) {
      throw new PausekitError(`image: platform '${platformName(platform)}' is named twice in --platform`, {
        field: '--platform',
        value: list,
      });
    }
    chosen.add(platform);
  }
  return PLATFORMS.filter((p) => chosen.has(p));
}

/**
 * build/native/<arch>/pause, the default design of that architecture, or
 * build/native/<arch>/pause-<design> for a named one.
 */
export function platformBinary(nativeDir: string, platform: Platform, design?: string): string {
  return join(nativeDir, platform.arch, design === undefined ? 'pause' : `pause-${design}`);
}

/**
 * How to get a platform's pause that is missing from `builds`: in a
 * checkout (or for builds of one's own), how native/Makefile builds it; in
 * the package, which ships every one, that the package is incomplete.
 */
export function buildHint(platform: Platform, builds: string = DEFAULT_BUILDS): string {
  if (!IN_CHECKOUT && builds === DEFAULT_BUILDS) {
    return 'the pausekit package ships every platform\'s pause: this installation is incomplete, reinstall pausekit';
  }
  return `make -C native ARCH=${platform.arch} builds it, with Debian's ${platform.crossPackage}` +
    (IN_CHECKOUT ? '' : ', in a checkout of pausekit');
}

/** The platforms whose pause (or pause-<design>) is built under `nativeDir`. */
export function builtPlatforms(nativeDir: string, design?: string): Platform[] {
  return PLATFORMS.filter((p) => existsSync(platformBinary(nativeDir, p, design)));
}
