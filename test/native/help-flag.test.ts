// -h and --help print the usage on stdout and exit 0, starting nothing:
// in reference mode as an argument anywhere (as -v is; the first of the
// two wins), in init mode among the options before PROGRAM. Here pause
// parts from the Kubernetes pause, which takes no -h, and never gets an
// argument in a pod anyway. After `--` (or after PROGRAM) -h is the
// program's. Every design, as PID 1 and as a plain process.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  BUSYBOX, DESIGNS, MODES, expectedVersionLine, startPause, stopInit, BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the help flag tests', KERNEL, BUSYBOX_INSTALLED);
const USAGE = 'usage: pause [-v] [-h] | pause [-s] [-g] [-e CODE]... -- PROGRAM [ARGS...]\n';
const dir = mkdtempSync(join(tmpdir(), 'pausekit-help-'));
const marker = join(dir, 'ran');
const PROGRAM = [BUSYBOX, 'touch', marker];

const CASES: { args: string[]; stdout: string }[] = [
  { args: ['-h'], stdout: USAGE },
  { args: ['--help'], stdout: USAGE },
  { args: ['first', '-h', 'last'], stdout: USAGE },
  { args: ['x', '--help'], stdout: USAGE },
  { args: ['-h', '-v'], stdout: USAGE },
  { args: ['-v', '--help'], stdout: expectedVersionLine() },
  { args: ['-h', '--', ...PROGRAM], stdout: USAGE },
  { args: ['--help', '--', ...PROGRAM], stdout: USAGE },
  { args: ['-s', '-g', '-h', ...PROGRAM], stdout: USAGE },
  { args: ['-e', '3', '--help', '--', ...PROGRAM], stdout: USAGE },
];

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      for (const { args, stdout } of CASES) {
        const shown = JSON.stringify(args.map((a) => (a === marker ? 'FILE' : a)));
        it(`prints ${stdout === USAGE ? 'the usage' : 'the version'} on stdout and exits 0, running nothing, for ${shown} (${design} design, as ${mode})`, async () => {
          pause = await startPause(mode, [pauseBinary(design), ...args]);
          expect(await pause.exited).toEqual({ code: 0, signal: null });
          expect(pause.stdout()).toBe(stdout);
          expect(pause.stderr()).toBe('');
          expect(existsSync(marker)).toBe(false);
        });
      }

      it(`gives -h after \`--\` to the program (${design} design, as ${mode})`, async () => {
        pause = await startPause(mode, [pauseBinary(design), '-s', '--', BUSYBOX, 'sh', '-c', 'echo "$0 $1"', 'prog', '-h']);
        expect(await pause.exited).toEqual({ code: 0, signal: null });
        expect(pause.stdout()).toBe('prog -h\n');
      });
    }
  }
});
