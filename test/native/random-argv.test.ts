// Whatever its command line and environment, pause either prints its
// version or its usage and exits 0 (an argument is exactly -v or -V, or -h
// or --help: the first of them), or runs: SIGTERM then ends it with its
// message and exit 0. It never crashes (no SIGSEGV,
// no other exit), on every design, as PID 1 and as a plain process.
//
// Arguments, argv[0] and the environment are bytes: most runs start pause
// directly (text, any Unicode); runs as PID 1, and runs with bytes that are
// not UTF-8, go through perl (perl-base is in every Debian), which decodes
// them from hex and execs pause with exactly those bytes.
// PAUSEKIT_FUZZ_PAUSE_RUNS sets the number of runs (default 300);
// PAUSEKIT_SEED replays them.
import { isUtf8 } from 'node:buffer';
import { readlinkSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import type { Design } from '../../src/scenario/types.ts';
import { findFailingInput, SEED } from '../support/property.ts';
import {
  DESIGNS, expectedVersionLine, startPause, stopPause, until, untilReady, type Mode, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the random argv tests of pause', KERNEL);
const RUNS = Number(process.env['PAUSEKIT_FUZZ_PAUSE_RUNS'] ?? 300);
const FILE = 'test/native/random-argv.test.ts';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

/** Bytes with no NUL (a C string ends there) and no newline (bash's $(...) would drop a trailing one). */
const rawBytesArb = (maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ maxLength }).map((a) => a.map((b) => (b === 0 || b === 0x0a ? 0x01 : b)));

/**
 * This test fuzzes the reference mode, where every argument but -v/-V, -h/--help is
 * ignored. Init mode (`pause [opts] -- PROGRAM`, docs/init.md) starts when
 * `--` is anywhere or the first argument is -s, -g or -e; then the arguments
 * name a program to run, and test/native/init-bad-usage.test.ts says what
 * pause must do with them. So `--` is never generated, nor those first.
 */
const RESERVED_FIRST = new Set(['--', '-s', '-g', '-e']);
const isDashDash = (arg: Uint8Array): boolean => arg.length === 2 && arg[0] === 0x2d && arg[1] === 0x2d;

/**
 * pause's arguments (argv[1..]): the one place they are made, so a new
 * mode of pause extends only this. Near misses of -v, options other
 * programs take, empty and huge arguments, any Unicode, any bytes.
 */
function pauseArgvArb(): fc.Arbitrary<Uint8Array[]> {
  const shortArg = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom('-v', '-V').map(bytes) },
    {
      weight: 6,
      arbitrary: fc.constantFrom('-vv', '--v', 'v', 'V', '-version', '--version', '-h', '--help', '-', '', ' -v', '-v ', '-v\n', '-\tv',
        '－ｖ', '-v\u0301', '-w', '-u', '-s', '-g', '-e', '--', 'pause', '/pause', '%s%n', '\u00ff', '-v=1', '1').map(bytes),
    },
    { weight: 3, arbitrary: fc.string({ maxLength: 20 }).map((s) => bytes(s.replace(/\u0000/g, ''))) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }).map((s) => bytes(s.replace(/\u0000/g, ''))) },
    { weight: 2, arbitrary: rawBytesArb(12) },
  );
  // Long ones only among few: the whole command line stays well inside
  // the kernel's limit (a quarter of the stack limit), even written in hex.
  const arg = fc.oneof(
    { weight: 15, arbitrary: shortArg },
    { weight: 1, arbitrary: fc.constantFrom(10_000, 40_000).map((n) => bytes('v'.repeat(n))) },
  );
  return fc
    .oneof({ weight: 10, arbitrary: fc.array(arg, { maxLength: 8 }) }, { weight: 1, arbitrary: fc.array(shortArg, { minLength: 200, maxLength: 2000 }) })
    .filter((args) => !args.some(isDashDash) && (args.length === 0 || !RESERVED_FIRST.has(Buffer.from(args[0]!).toString('latin1'))));
}

/** Environment variables: names a loader or a libc would read (pause has neither), random names, any values. */
const envArb = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom('PATH', 'HOME', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_DEBUG', 'GLIBC_TUNABLES', 'MALLOC_CHECK_', 'LANG', 'LC_ALL', 'TERM',
        'POSIXLY_CORRECT', 'NOTIFY_SOCKET', 'LISTEN_FDS', 'PAUSE', 'v'),
      fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/),
      fc.constantFrom('a-b', '1x', '\u00e9', ' ', '.', 'A B'),
    ),
    fc.oneof(
      fc.constantFrom('', '/nonexistent/lib.so', 'all', '1', '-v', '\u00e9').map(bytes),
      fc.string({ maxLength: 30 }).map((s) => bytes(s.replace(/\u0000/g, ''))),
      rawBytesArb(20),
      fc.constant(bytes('x'.repeat(20_000))),
    ),
  ),
  { maxLength: 12 },
);

interface Invocation {
  design: Design;
  mode: Mode;
  /** Direct (node spawns pause) where every byte is UTF-8 and pause runs as a plain process; else through perl. */
  direct: boolean;
  argv0: Uint8Array;
  args: Uint8Array[];
  env: [string, Uint8Array][];
}

const invocationArb: fc.Arbitrary<Invocation> = fc
  .record({
    design: fc.constantFrom(...DESIGNS),
    mode: fc.oneof({ weight: 3, arbitrary: fc.constant<Mode>('a plain process') }, { weight: 1, arbitrary: fc.constant<Mode>('PID 1') }),
    direct: fc.boolean(),
    argv0: fc.oneof(fc.constantFrom('pause', '/pause', '', '-v', 'x'.repeat(4000)).map(bytes), rawBytesArb(16)),
    args: pauseArgvArb(),
    env: envArb,
  })
  .map((i) => ({ ...i, direct: i.direct && i.mode === 'a plain process' && [i.argv0, ...i.args, ...i.env.map(([, v]) => v)].every((b) => isUtf8(b)) }));

const isVersionFlag = (arg: Uint8Array): boolean => arg.length === 2 && arg[0] === 0x2d && (arg[1] === 0x76 || arg[1] === 0x56);
const isHelpFlag = (arg: Uint8Array): boolean => ['-h', '--help'].includes(Buffer.from(arg).toString('latin1'));
const USAGE = 'usage: pause [-v] [-h] | pause [-s] [-g] [-e CODE]... -- PROGRAM [ARGS...]\n';
/** What the first -v/-V or -h/--help among the arguments makes pause print, if any. */
const answerOf = (args: Uint8Array[]): string | undefined => {
  const first = args.find((a) => isVersionFlag(a) || isHelpFlag(a));
  return first === undefined ? undefined : isVersionFlag(first) ? expectedVersionLine() : USAGE;
};
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
/**
 * Execs a program with exactly the argv and environment given as hex
 * (arguments: path, argument count, argv..., then key, value pairs).
 */
const EXEC_BYTES = 'my ($path, $n, @rest) = @ARGV; my @argv = map { pack("H*", $_) } splice(@rest, 0, $n); ' +
  '%ENV = map { pack("H*", $_) } @rest; exec { $path } @argv; die "exec $path: $!\\n"';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function start(i: Invocation): Promise<PauseProcess> {
  const binary = pauseBinary(i.design);
  if (i.direct) {
    const env = Object.fromEntries(i.env.map(([k, v]) => [k, text(v)]));
    return startPause(i.mode, [binary, ...i.args.map(text)], [], { env, argv0: text(i.argv0) });
  }
  const argv = [i.argv0, ...i.args].map(hex);
  const env = i.env.flatMap(([k, v]) => [hex(bytes(k)), hex(v)]);
  return startPause(i.mode, ['perl', '-e', EXEC_BYTES, binary, String(argv.length), ...argv, ...env], [], { env: {} });
}

/** Why pause did not do what its arguments ask, or null. */
async function failsWith(i: Invocation): Promise<string | null> {
  let pause: PauseProcess | undefined;
  try {
    pause = await start(i);
    const started = pause;
    const answer = answerOf(i.args);
    if (answer !== undefined) {
      const exit = await started.exited;
      const got = { exit, stdout: started.stdout(), stderr: started.stderr() };
      const want = { exit: { code: 0, signal: null }, stdout: answer, stderr: '' };
      return JSON.stringify(got) === JSON.stringify(want) ? null : `expected ${JSON.stringify(answer)} and exit 0, got ${JSON.stringify(got)}`;
    }
    // Through perl, the pid is perl's until it execs pause: wait for pause itself.
    const binary = pauseBinary(i.design);
    await until(`pause (${started.pid}) has been exec'd`, () => {
      try {
        return readlinkSync(`/proc/${started.pid}/exe`) === binary ? true : undefined;
      } catch {
        throw new Error(`pause (${started.pid}) ended before it ran: ${JSON.stringify({ stdout: started.stdout(), stderr: started.stderr() })}`);
      }
    });
    await untilReady(started, i.design);
    started.kill('SIGTERM');
    const exit = await started.exited;
    const warning = i.mode === 'PID 1' ? '' : 'Warning: pause should be the first process\n';
    const got = { exit, stdout: started.stdout(), stderr: started.stderr() };
    const want = { exit: { code: 0, signal: null }, stdout: '', stderr: `${warning}Shutting down, got signal: Terminated\n` };
    return JSON.stringify(got) === JSON.stringify(want) ? null : `expected it to run until SIGTERM, then exit 0 with its message; got ${JSON.stringify(got)}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await stopPause(pause);
  }
}

function describeInvocation(i: Invocation): string {
  const show = (b: Uint8Array) => (isUtf8(b) ? JSON.stringify(text(b)) : `bytes(${Buffer.from(b).toString('hex')})`);
  const cut = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}...(${s.length} characters)` : s);
  return [
    `${i.design} design, as ${i.mode}, ${i.direct ? 'started directly' : 'through perl'}`,
    `argv[0]: ${cut(show(i.argv0))}`,
    `arguments (${i.args.length}): ${cut(i.args.map(show).join(' '))}`,
    `environment: ${cut(i.env.map(([k, v]) => `${k}=${show(v)}`).join(' '))}`,
  ].join('\n');
}

describe.skipIf(skip)('pause', () => {
  test(`prints its version or usage, or runs until SIGTERM, never crashes, with ${RUNS} random command lines and environments (seed ${SEED})`, async () => {
    const started = performance.now();
    let versions = 0;
    const { report, runs } = await findFailingInput({
      name: 'random-argv',
      testFile: FILE,
      arbitrary: invocationArb,
      numRuns: RUNS,
      runsVariable: 'PAUSEKIT_FUZZ_PAUSE_RUNS',
      failsWith: (i) => {
        if (answerOf(i.args) !== undefined) versions++;
        return failsWith(i);
      },
      describe: describeInvocation,
    });
    console.log(`random-argv: ${runs} runs of pause in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${SEED}), ${versions} with -v, -V, -h or --help`);
    expect(report).toBeNull();
    // Both answers are exercised.
    if (runs >= 100) expect(versions).toBeGreaterThan(runs / 20);
    if (runs >= 100) expect(versions).toBeLessThan(runs * 0.8);
  }, 120_000);
});
