// pause's exit codes, by mode: within a mode each code names one cause.
// Reference mode keeps the Kubernetes pause's codes (0 shut down, 1, 2, 3:
// sigaction of INT, TERM, CHLD failed) and 4 for the block; it ignores its
// arguments, so it has no usage error. Init mode: 2 bad command line, 3
// SIGCHLD, 4 the block, 5 fork, 6 a forwarded signal, 126 and 127 the
// program cannot run or is not found. Every cause is provoked here on the
// binary (setup failures through native/failcall, which makes one system
// call fail), and the codes each mode gave are checked pairwise distinct
// from what the binary did, not from the source. Every design, as PID 1
// and as a plain process.
//
// Then the structure that keeps it so: pause.c exits only through
// exit_reference() and exit_init(), each taking its mode's enum, and a
// code of the other mode's enum (or two codes of one mode alike) does not
// compile.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import type { Design } from '../../src/scenario/types.ts';
import {
  BUSYBOX, BUSYBOX_INSTALLED, DESIGNS, FAILCALL, FAILCALL_BUILT, MODES, run, startPause, stopInit, untilReady, type Mode, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL, need } from '../support/gate.ts';

const skip = cannotRun('the exit code tests', KERNEL, BUSYBOX_INSTALLED, FAILCALL_BUILT);
const dir = mkdtempSync(join(tmpdir(), 'pausekit-codes-'));
const notExecutable = join(dir, 'not-executable');
writeFileSync(notExecutable, '#!/bin/sh\n', { mode: 0o644 });

type PauseMode = 'reference' | 'init';
interface Cause {
  mode: PauseMode;
  /** What is done to pause. */
  cause: string;
  /** What its code says (causes alike say the same: success, or one setup failure). */
  names?: string;
  /** The code (0: success). */
  code: number;
  designs: readonly Design[];
  /** pause's arguments, and the system call failcall makes fail (if any). */
  args: string[];
  fail?: [string, number];
  /** A signal to send once pause is ready (reference mode runs until one comes). */
  signal?: NodeJS.Signals;
}

const ALL = DESIGNS;
const WAITING = ['sigwait', 'autoreap'] as const;
const PROGRAM = ['--', BUSYBOX, 'true'];
const CAUSES: Cause[] = [
  { mode: 'reference', cause: 'shut down by SIGTERM', code: 0, designs: ALL, args: [], signal: 'SIGTERM' },
  { mode: 'reference', cause: 'shut down by SIGINT', code: 0, designs: ALL, args: [], signal: 'SIGINT' },
  { mode: 'reference', cause: 'arguments init mode would refuse, ignored, then SIGTERM', code: 0, designs: ALL, args: ['-x', '-e', '300', '--h'], signal: 'SIGTERM' },
  { mode: 'reference', cause: '-v', code: 0, designs: ALL, args: ['-v'] },
  { mode: 'reference', cause: '-h', code: 0, designs: ALL, args: ['-h'] },
  { mode: 'reference', cause: 'sigaction(SIGINT) failed', code: 1, designs: ['handlers'], args: [], fail: ['rt_sigaction', 2] },
  { mode: 'reference', cause: 'sigaction(SIGTERM) failed', code: 2, designs: ['handlers'], args: [], fail: ['rt_sigaction', 15] },
  { mode: 'reference', cause: 'sigaction(SIGCHLD) failed', code: 3, designs: ALL, args: [], fail: ['rt_sigaction', 17] },
  { mode: 'reference', cause: 'sigprocmask(SIG_BLOCK) failed', code: 4, designs: WAITING, args: [], fail: ['rt_sigprocmask', 0] },
  { mode: 'init', cause: '-v', code: 0, designs: ALL, args: ['-v', ...PROGRAM] },
  { mode: 'init', cause: '-h', code: 0, designs: ALL, args: ['-h', ...PROGRAM] },
  { mode: 'init', cause: 'a bad command line', code: 2, designs: ALL, args: ['-e', '300', ...PROGRAM] },
  { mode: 'init', cause: 'sigaction(SIGCHLD) failed', code: 3, designs: ALL, args: PROGRAM, fail: ['rt_sigaction', 17] },
  { mode: 'init', cause: 'sigprocmask(SIG_BLOCK) failed', code: 4, designs: ALL, args: PROGRAM, fail: ['rt_sigprocmask', 0] },
  { mode: 'init', cause: 'fork failed', code: 5, designs: ALL, args: PROGRAM, fail: ['clone', 17] },
  { mode: 'init', cause: 'sigaction(SIGTERM) failed', names: 'a forwarded signal not taken', code: 6, designs: ['handlers'], args: PROGRAM, fail: ['rt_sigaction', 15] },
  { mode: 'init', cause: 'sigaction(SIGUSR1) failed', names: 'a forwarded signal not taken', code: 6, designs: ['handlers'], args: PROGRAM, fail: ['rt_sigaction', 10] },
  { mode: 'init', cause: 'the program cannot run', code: 126, designs: ALL, args: ['--', notExecutable] },
  { mode: 'init', cause: 'the program is not found', code: 127, designs: ALL, args: ['--', join(dir, 'missing')] },
];

/** Runs pause for a cause; its exit code (null: killed by a signal). */
async function codeOf(cause: Cause, design: Design, mode: Mode, started: (p: PauseProcess) => void): Promise<number | null> {
  const argv = [pauseBinary(design), ...cause.args];
  const pause = await startPause(mode, cause.fail === undefined ? argv : [FAILCALL, cause.fail[0], String(cause.fail[1]), ...argv]);
  started(pause);
  if (cause.signal !== undefined) {
    await untilReady(pause, design);
    pause.kill(cause.signal);
  }
  return (await pause.exited).code;
}

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      for (const pauseMode of ['reference', 'init'] as const) {
        const causes = CAUSES.filter((c) => c.mode === pauseMode && c.designs.includes(design));
        it(`in ${pauseMode} mode exits with a code of its own for each cause, success 0 (${design} design, as ${mode})`, async () => {
          const seen: { cause: string; code: number | null }[] = [];
          for (const cause of causes) {
            seen.push({ cause: cause.cause, code: await codeOf(cause, design, mode, (p) => (pause = p)) });
            await stopInit(pause);
          }
          // As documented, cause by cause...
          expect(seen).toEqual(causes.map((c) => ({ cause: c.cause, code: c.code })));
          // ...and, from what the binary did alone: what each code says
          // (success, or one failure) has one code, and no two say alike.
          const says = (i: number): string => (causes[i]!.code === 0 ? 'success' : causes[i]!.names ?? causes[i]!.cause);
          const codes = new Map<string, Set<number | null>>();
          seen.forEach(({ code }, i) => codes.set(says(i), (codes.get(says(i)) ?? new Set()).add(code)));
          for (const [what, set] of codes) expect([...set], `the codes for ${what}`).toHaveLength(1);
          const distinct = new Set([...codes.values()].map((set) => [...set][0]));
          expect(distinct.size, `one code per cause: ${JSON.stringify(seen)}`).toBe(codes.size);
        });
      }
    }
  }
});

// ---- The structure: the compiler holds each mode to its codes --------------

const SOURCE = new URL('../../native/pause.c', import.meta.url);
const cc = ['cc', 'gcc', 'clang'].find((c) => {
  try {
    execFileSync(c, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** Compiles pause.c (libc-free, every warning an error) with `from` replaced by `to`; the compiler's complaint, or '' when it compiles. */
async function compileWith(from: string, to: string, design = 'DESIGN_SIGWAIT'): Promise<string> {
  const text = readFileSync(SOURCE, 'utf8');
  expect(text.includes(from), `pause.c still has ${JSON.stringify(from)}`).toBe(true);
  const file = join(sources, `pause-${Math.abs([...from + to].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 7))}.c`);
  writeFileSync(file, text.replace(from, to));
  const native = new URL('../../native/', import.meta.url).pathname;
  const result = await run(cc!, ['-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-DSYS_NOLIBC', '-ffreestanding', `-D${design}`, '-I', native, file]);
  return result.code === 0 ? '' : result.stderr;
}

const sources = mkdtempSync(join(tmpdir(), 'pausekit-codes-cc-'));
describe.skipIf(cannotRun('the exit code compile checks', need('a C compiler', () => (cc === undefined ? 'no C compiler (cc, gcc, clang) on PATH' : undefined))))('pause.c', () => {
  afterAll(() => rmSync(sources, { recursive: true, force: true }));

  it('compiles as it is (the control for the cases below)', async () => {
    expect(await compileWith('exit_reference(REFERENCE_SHUTDOWN);', 'exit_reference(REFERENCE_SHUTDOWN);')).toBe('');
    expect(await compileWith('exit_reference(REFERENCE_SHUTDOWN);', 'exit_reference(REFERENCE_SHUTDOWN);', 'DESIGN_HANDLERS')).toBe('');
  });

  it("does not compile when reference mode exits with init mode's usage code", async () => {
    expect(await compileWith('exit_reference(REFERENCE_SHUTDOWN);', 'exit_reference(INIT_USAGE);')).toMatch(/enum-conversion/);
  });

  it("does not compile when init mode exits with reference mode's SIGTERM setup code", async () => {
    expect(await compileWith('exit_init(INIT_FORWARD_SETUP);', 'exit_init(REFERENCE_SIGTERM_SETUP);')).toMatch(/enum-conversion/);
  });

  it('does not compile when two codes of a mode are alike', async () => {
    expect(await compileWith('INIT_FORWARD_SETUP = 6,', 'INIT_FORWARD_SETUP = 2,')).toMatch(/duplicate case value/);
  });
});
