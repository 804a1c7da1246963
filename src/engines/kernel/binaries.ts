// Where the kernel engine's native programs are: the checkout's own build
// (npm run build), a folder PAUSEKIT_NATIVE_DIR names, or the package's
// prebuilt static binaries for this machine's architecture.
import { accessSync, constants, existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkArgument } from '../../errors.ts';
import { DESIGNS, type Design } from '../../scenario/types.ts';

/**
 * The checkout's own native build (npm run build), for this machine, or the
 * folder PAUSEKIT_NATIVE_DIR names (e.g. build/native/asan, the sanitizer
 * builds of `make -C native asan`, for `npm run test:asan`).
 */
export const NATIVE_DIR = nativeDir(process.env['PAUSEKIT_NATIVE_DIR']);

// The folder of the native build, with its trailing separator.
function nativeDir(override: string | undefined): string {
  if (override === undefined || override === '') return fileURLToPath(new URL('../../../build/native/', import.meta.url));
  const dir = resolve(override);
  return dir.endsWith(sep) ? dir : `${dir}${sep}`;
}

/**
 * The architectures the npm package carries prebuilt, static binaries for
 * (npm run build:prebuilt), each in build/native/<arch>/, named as OCI
 * platforms name them; keyed by Node's process.arch.
 */
export const PREBUILT_ARCHES: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/**
 * A native program by name (pause-sigwait, pausekit-driver...): the
 * checkout's own build if there is one, else the package's prebuilt binary
 * for this machine's architecture. When neither exists, the checkout's path
 * (which the caller reports missing, with nativeMissing()).
 */
export function nativeProgram(name: string): string {
  const own = `${NATIVE_DIR}${name}`;
  if (existsSync(own)) return own;
  const arch = PREBUILT_ARCHES[process.arch];
  const prebuilt = arch === undefined ? undefined : `${NATIVE_DIR}${arch}/${name}`;
  return prebuilt !== undefined && existsSync(prebuilt) ? prebuilt : own;
}

/** Why a native program is not there, and what to do. */
export function nativeMissing(name: string): string {
  const arch = PREBUILT_ARCHES[process.arch];
  if (arch === undefined) {
    return `no prebuilt ${name} for ${process.arch} (the package carries linux ${Object.values(PREBUILT_ARCHES).join(' and ')}); ` +
      `build pausekit from source ('npm run build' in a checkout)`;
  }
  return `${NATIVE_DIR}${name} is missing: run 'npm run build'`;
}

/** The kernel engine's helper: native/driver/, static in the package. */
export const DRIVER = nativeProgram('pausekit-driver');

/** The native pause binary of a design (build/native/pause-<design>). */
export function pauseBinary(design: Design = 'sigwait'): string {
  checkArgument(DESIGNS.includes(design), 'pauseBinary(design): design', `one of ${DESIGNS.join(', ')}`, design);
  return nativeProgram(`pause-${design}`);
}

/** The first executable `name` on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir === '') continue;
    const file = `${dir}/${name}`;
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
