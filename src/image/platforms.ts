// The platforms pausekit builds pause for, named as OCI image indexes name
// them (`os`, `architecture`, `variant`), and where each one's build lives:
// native/Makefile writes build/native/<arch>/pause for every architecture
// whose cross compiler is installed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PausekitError } from '../errors.ts';

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
}

/** Every platform, in the order an image index lists them. */
export const PLATFORMS: readonly Platform[] = [
  { arch: 'amd64', os: 'linux', architecture: 'amd64', aliases: [], crossPackage: 'gcc-x86-64-linux-gnu' },
  { arch: 'arm64', os: 'linux', architecture: 'arm64', aliases: ['linux/arm64/v8'], crossPackage: 'gcc-aarch64-linux-gnu' },
  { arch: 'arm', os: 'linux', architecture: 'arm', variant: 'v7', aliases: ['linux/arm'], crossPackage: 'gcc-arm-linux-gnueabihf' },
  { arch: 'ppc64le', os: 'linux', architecture: 'ppc64le', aliases: [], crossPackage: 'gcc-powerpc64le-linux-gnu' },
  { arch: 's390x', os: 'linux', architecture: 's390x', aliases: [], crossPackage: 'gcc-s390x-linux-gnu' },
  { arch: 'riscv64', os: 'linux', architecture: 'riscv64', aliases: [], crossPackage: 'gcc-riscv64-linux-gnu' },
];

/** `linux/arm64`, `linux/arm/v7`: how docker, podman, skopeo and ctr write a platform. */
export function platformName(platform: { os: string; architecture: string; variant?: string }): string {
  return [platform.os, platform.architecture, ...(platform.variant !== undefined ? [platform.variant] : [])].join('/');
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
        `image: unknown platform '${name}' in --platform (expected a comma-separated list of ${PLATFORMS.map(platformName).join(', ')})`,
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

/** How to build a platform's pause, for the error that says it is missing. */
export function buildHint(platform: Platform): string {
  return `make -C native ARCH=${platform.arch} builds it, with Debian's ${platform.crossPackage}`;
}

/** The platforms whose pause (or pause-<design>) is built under `nativeDir`. */
export function builtPlatforms(nativeDir: string, design?: string): Platform[] {
  return PLATFORMS.filter((p) => existsSync(platformBinary(nativeDir, p, design)));
}
