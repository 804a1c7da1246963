// Init mode: once the program is started in pause's working directory,
// pause itself moves to /, so that a long-lived init does not keep the
// directory it was started in busy (a mount that could not be unmounted).
// Every design, as PID 1 and as a plain process (with and without -s).
import { mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUSYBOX, DESIGNS, INIT_MODES, startInit, stopInit, until, untilProgram, BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode working directory tests', KERNEL, BUSYBOX_INSTALLED);

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await stopInit(pause);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      it(`runs the program in its directory and moves itself to / (${design} design, as ${mode})`, async () => {
        dir = realpathSync(mkdtempSync(join(tmpdir(), 'pausekit-cwd-')));
        pause = await startInit(mode, design, ['--', BUSYBOX, 'sleep', '1000'], { cwd: dir });
        const program = await untilProgram(pause);
        await until('the program runs busybox sleep', () =>
          (readFileSync(`/proc/${program}/cmdline`, 'latin1') === `${BUSYBOX}\0sleep\x001000\0` ? true : undefined));
        const current = pause;
        await until('pause has left its directory', () => (readlinkSync(`/proc/${current.pid}/cwd`) === '/' ? true : undefined));
        expect(readlinkSync(`/proc/${program}/cwd`)).toBe(dir);
      });
    }
  }
});
