// Whether a test that needs something of the machine runs here: the kernel
// engine (a PID namespace, the driver and every design's pause), a built
// file, a command, root, a cgroup controller, qemu... Every skip of the suite
// is decided here. It prints why; under PAUSEKIT_REQUIRE_ENGINES=1 (CI) a
// missing need is a failing test that names it, since a CI machine must run
// everything. The skip reporter (skip-reporter.ts) then fails a CI run that
// skipped any test not on the allow-list (allowed-skips.ts).
//
// Imports nothing from test/support, so that every helper there can use it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'vitest';
import { kernelAvailability, NATIVE_DIR } from '../../src/engines/kernel/engine.ts';
import { DESIGNS } from '../../src/scenario/types.ts';

/** CI sets it: a test that cannot run fails instead of being skipped. */
export const ENGINES_REQUIRED = process.env['PAUSEKIT_REQUIRE_ENGINES'] === '1';

/** Something tests need of the machine: what it is, and why it is missing here (undefined when present). */
export interface Need {
  what: string;
  missing: () => string | undefined;
}

/** A need whose probe runs once, when first asked. */
export function need(what: string, probe: () => string | undefined): Need {
  let answer: { reason: string | undefined } | undefined;
  return {
    what,
    missing: () => (answer ??= { reason: probe() }).reason,
  };
}

/** A command's full path, from PATH (or the path itself if it is one that exists). */
export function commandPath(command: string): string | undefined {
  if (command.includes('/')) return existsSync(command) ? command : undefined;
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** Commands on PATH (or paths that exist); `hint` says how to get them. */
export function commands(names: readonly string[], hint = ''): Need {
  return need(names.join(', '), () => {
    const absent = names.filter((name) => commandPath(name) === undefined);
    return absent.length === 0 ? undefined : `not installed: ${absent.join(', ')}${hint === '' ? '' : ` (${hint})`}`;
  });
}

/** A file the build makes (or a package installs): `how` says how to get it. */
export function file(path: string, how = "run 'npm run build'"): Need {
  return need(path, () => (existsSync(path) ? undefined : `${path} is missing: ${how}`));
}

/** Running as root. */
export const ROOT = need('root', () => (process.getuid?.() === 0 ? undefined : 'needs root'));

/** Linux. */
export const LINUX = need('Linux', () => (process.platform === 'linux' ? undefined : `needs Linux (this is ${process.platform})`));

/**
 * The kernel engine: a PID namespace (as root, or in a user namespace), and
 * this checkout's own build of the driver and of every design's pause in
 * build/native/ (or PAUSEKIT_NATIVE_DIR), not the package's prebuilt
 * fallback: a test of the kernel runs the binaries built from this source.
 */
export const KERNEL = need('the kernel engine', () => {
  const built = ['pausekit-driver', ...DESIGNS.map((design) => `pause-${design}`)];
  const absent = built.filter((name) => !existsSync(`${NATIVE_DIR}${name}`)).map((name) => `${NATIVE_DIR}${name}`);
  if (absent.length > 0) return `missing: ${absent.join(', ')} (run 'npm run build')`;
  const available = kernelAvailability();
  return available.ok ? undefined : available.reason;
});

/** Why tests needing all of `needs` cannot run here (every missing one), or undefined. */
export function missing(needs: readonly Need[]): string | undefined {
  const reasons = needs.map((n) => n.missing()).filter((reason): reason is string => reason !== undefined);
  return reasons.length === 0 ? undefined : reasons.join('; ');
}

/**
 * Decides, where tests are declared (a file's top level or a describe()),
 * whether the tests `what` names, which need all of `needs`, run here:
 * true, skip them, when something is missing, with the reason printed.
 * Under PAUSEKIT_REQUIRE_ENGINES=1 a failing test that names what is
 * missing is declared in their place as well.
 */
export function cannotRun(what: string, ...needs: Need[]): boolean {
  const reason = missing(needs);
  if (reason === undefined) return false;
  console.warn(`skipping ${what}: ${reason}`);
  if (ENGINES_REQUIRED) {
    test(`${what} can run here (PAUSEKIT_REQUIRE_ENGINES=1)`, () => {
      throw new Error(`PAUSEKIT_REQUIRE_ENGINES=1 but ${what} cannot run here: ${reason}`);
    });
  }
  return true;
}

/** Inside a running test that finds it cannot go on: skips it with the reason, or fails under PAUSEKIT_REQUIRE_ENGINES=1. */
export function skipNow(ctx: TestContext, what: string, reason: string): never {
  if (ENGINES_REQUIRED) throw new Error(`PAUSEKIT_REQUIRE_ENGINES=1 but ${what} cannot run here: ${reason}`);
  console.warn(`skipping ${what}: ${reason}`);
  return ctx.skip(`${what}: ${reason}`);
}

/**
 * Where set-up (a beforeAll) finds that an engine cannot start: the reason
 * (printed), for the tests to skipNow() with; under PAUSEKIT_REQUIRE_ENGINES=1
 * it throws, failing them all.
 */
export function unavailable(what: string, reason: string): { reason: string } {
  if (ENGINES_REQUIRED) throw new Error(`PAUSEKIT_REQUIRE_ENGINES=1 but ${what} cannot run here: ${reason}`);
  console.warn(`skipping ${what}: ${reason}`);
  return { reason };
}
