// Init mode: a bad command line prints what is wrong and the usage on
// stderr, exits 2, and starts nothing (the program, which would leave a
// file behind, never runs). Both designs, as PID 1 and as a plain process.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BUSYBOX, DESIGNS, MODES, startPause, stopInit, BUSYBOX_INSTALLED, type PauseProcess } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';

const skip = cannotRun('the init-mode usage tests', KERNEL, BUSYBOX_INSTALLED);
const USAGE = 'usage: pause [-v] [-h] | pause [-s] [-g] [-e CODE]... -- PROGRAM [ARGS...]\n';
const dir = mkdtempSync(join(tmpdir(), 'pausekit-usage-'));
const marker = join(dir, 'ran');
const PROGRAM = [BUSYBOX, 'touch', marker];

const CASES: { args: string[]; what: string }[] = [
  { args: ['--'], what: "no program after '--'" },
  { args: ['-s'], what: 'no program given' },
  { args: ['-g', '-s'], what: 'no program given' },
  { args: ['-x', '--', ...PROGRAM], what: "unknown option '-x'" },
  { args: ['-s', '-q', ...PROGRAM], what: "unknown option '-q'" },
  { args: ['-sg', '--', ...PROGRAM], what: "unknown option '-sg'" },
  { args: ['--version', '--', ...PROGRAM], what: "unknown option '--version'" },
  { args: ['-hv', '--', ...PROGRAM], what: "unknown option '-hv'" },
  { args: [`-${'x'.repeat(300)}`, '--', ...PROGRAM], what: `unknown option '-${'x'.repeat(199)}...'` },
  { args: ['-e'], what: '-e needs a code 0..255, got nothing' },
  { args: ['-e', '300', '--', ...PROGRAM], what: "-e needs a code 0..255, got '300'" },
  { args: ['-e', '256', '--', ...PROGRAM], what: "-e needs a code 0..255, got '256'" },
  { args: ['-e', '-1', '--', ...PROGRAM], what: "-e needs a code 0..255, got '-1'" },
  { args: ['-e', 'abc', '--', ...PROGRAM], what: "-e needs a code 0..255, got 'abc'" },
  { args: ['-e', '14x', '--', ...PROGRAM], what: "-e needs a code 0..255, got '14x'" },
  { args: ['-e', '', '--', ...PROGRAM], what: "-e needs a code 0..255, got ''" },
  { args: ['-e', '0', '-e', '1000', ...PROGRAM], what: "-e needs a code 0..255, got '1000'" },
];

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      for (const { args, what } of CASES) {
        it(`exits 2 with "pause: ${what}" and the usage, running nothing, for ${JSON.stringify(args.map((a) => (a === marker ? 'FILE' : a)))} (${design} design, as ${mode})`, async () => {
          pause = await startPause(mode, [pauseBinary(design), ...args]);
          expect(await pause.exited).toEqual({ code: 2, signal: null });
          expect(pause.stderr()).toBe(`pause: ${what}\n${USAGE}`);
          expect(pause.stdout()).toBe('');
          expect(existsSync(marker)).toBe(false);
        });
      }
    }
  }

  it('takes well-formed options and runs the program: the control for the cases above', async () => {
    pause = await startPause('PID 1', [pauseBinary('sigwait'), '-s', '-g', '-e', '0', '-e', '255', '--', ...PROGRAM]);
    expect(await pause.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
  });
});
