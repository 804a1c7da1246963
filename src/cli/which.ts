// `pausekit which`: the absolute path of a binary pausekit ships (or, in a
// checkout, has built), so that other tools can be pointed at it:
// `podman run --init-path "$(pausekit which pause)"`. It prints the file
// the kernel engine itself would run: the checkout's own build for this
// machine, else the package's prebuilt one (build/native/<arch>/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { alternatives, choice, parseCommand, refused, usageError } from './args.ts';
import { PausekitError, printable } from '../errors.ts';
import { NATIVE_DIR, PREBUILT_ARCHES, nativeProgram } from '../engines/kernel/engine.ts';
import { MODEL_WASM, MUTANTS } from '../engines/model/wasm.ts';
import { DEFAULT_BUILDS, IN_CHECKOUT, PLATFORMS, buildHint, hostPlatform, platformBinary, platformName } from '../image/platforms.ts';
import { DESIGNS } from '../scenario/types.ts';

const ARCHES = PLATFORMS.map((p) => p.arch);
const WHAT = ['pause', 'driver', 'model'] as const;
/** The architectures the package carries the driver for. */
const PREBUILT = Object.values(PREBUILT_ARCHES);

const USAGE = `usage: pausekit which pause [--design D] [--arch A | --mutant NAME]
       pausekit which driver [--arch A]
       pausekit which model

Prints the absolute path of a binary pausekit ships, or a checkout has built.

  pause           the static, libc-free pause: this machine's build, the one the
                  kernel engine runs (default: pause, the sigwait design)
  driver          the kernel engine's helper (pausekit-driver)
  model           the WebAssembly model of pause and the kernel rules
  --design D      ${DESIGNS.join(', ')}: that design's pause (pause-D)
  --arch A        ${alternatives(ARCHES)}: that architecture's
                  build instead, as the images hold it
  --mutant NAME   a catalogued bug's build of --design D, for pausekit diff --binary
                  (a checkout's test builds: the package has none)
  --help          this text`;

const SPEC = {
  name: 'which',
  usage: USAGE,
  options: {
    design: { type: 'string' },
    arch: { type: 'string' },
    mutant: { type: 'string' },
  },
  positionals: true,
} as const;

/** The file, or the error that says it is not there and how to get it. */
function found(file: string, missing: string): string {
  if (existsSync(file)) return file;
  throw new PausekitError(`which: no ${file}: ${missing}`, { kind: 'unavailable', file });
}

/** Why a file of this machine's is missing: not built yet (a checkout), or not in this installation (the package). */
function notBuilt(): string {
  return IN_CHECKOUT ? "run 'npm run build'" : 'this installation of pausekit is incomplete: reinstall it';
}

/** `which pause`: this machine's build, another architecture's, or a mutant. */
function pausePath(design: string | undefined, arch: string | undefined, mutant: string | undefined): string {
  if (mutant !== undefined) {
    if (design === undefined) throw refused('which', '--mutant', `needs --design ${alternatives(DESIGNS)}: the design of the mutant's build`, mutant);
    if (arch !== undefined) throw refused('which', '--mutant', 'builds are for this machine only: --arch does not apply', arch);
    const file = join(NATIVE_DIR, 'mutants', `pause-${design}-${mutant}`);
    return found(file, IN_CHECKOUT ? "run 'npm run build'" : 'the package ships no mutant: they are test builds of a checkout of pausekit');
  }
  const program = design === undefined ? 'pause' : `pause-${design}`;
  if (arch === undefined) {
    // The kernel engine's own, else the libc-free build of this machine's architecture.
    const host = hostPlatform();
    const own = nativeProgram(program);
    if (existsSync(own) || host === undefined) return found(own, notBuilt());
    return found(platformBinary(DEFAULT_BUILDS, host, design), notBuilt());
  }
  const platform = PLATFORMS.find((p) => p.arch === arch)!;
  return found(platformBinary(DEFAULT_BUILDS, platform, design), `${platformName(platform)} is not built (${buildHint(platform)})`);
}

/** `which driver`: this machine's, or another architecture's (the package carries amd64's and arm64's). */
function driverPath(arch: string | undefined): string {
  const shipped = `${IN_CHECKOUT ? "'npm run build:prebuilt' builds" : 'the package carries'} it for ${PREBUILT.join(' and ')} only`;
  if (arch === undefined) return found(nativeProgram('pausekit-driver'), IN_CHECKOUT ? notBuilt() : `${shipped}, and this machine is ${process.arch}`);
  return found(join(DEFAULT_BUILDS, arch, 'pausekit-driver'), `the driver is not built for ${arch}: ${shipped}`);
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const [name, ...more] = parsed.positionals;
  if (name === undefined) throw usageError(SPEC, `which binary? (${alternatives(WHAT)})`, { field: 'binary' });
  if (more.length > 0) throw usageError(SPEC, `one binary at a time (got '${printable(name, 60)}' and '${printable(more[0]!, 60)}')`, { field: 'binary' });
  const what = WHAT.find((w) => w === name);
  if (what === undefined) throw usageError(SPEC, `expected ${alternatives(WHAT)}, got '${printable(name, 60)}'`, { field: 'binary', value: name });
  const { values } = parsed;
  const design = values.design === undefined ? undefined : choice('which', 'design', values.design, DESIGNS);
  const arch = values.arch === undefined ? undefined : choice('which', 'arch', values.arch, ARCHES);
  const mutant = values.mutant === undefined ? undefined : choice('which', 'mutant', values.mutant, MUTANTS);
  for (const [option, value, applies] of [['--design', design, ['pause']], ['--arch', arch, ['pause', 'driver']], ['--mutant', mutant, ['pause']]] as const) {
    if (value !== undefined && !(applies as readonly string[]).includes(what)) {
      throw refused('which', option, `does not apply to ${what} (only to ${applies.join(' and ')})`, value);
    }
  }
  const file = what === 'pause' ? pausePath(design, arch, mutant) : what === 'driver' ? driverPath(arch) : found(MODEL_WASM, notBuilt());
  process.stdout.write(`${file}\n`);
  return 0;
}
