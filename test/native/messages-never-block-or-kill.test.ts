// pause's own messages never stop it: with stderr a pipe nobody reads any
// more (a write raises SIGPIPE), a full pipe (a write would block) or
// /dev/full (a write fails), the message is lost but pause goes on as usual
// -- in reference mode (the warning, then SIGTERM's line and exit 0) and in
// init mode (the exec failure's 127, the usage error's 2), every design, as
// PID 1 and as a plain process. SIGPIPE keeps its default action for pause
// (see signal-dispositions.test.ts): pause only blocks it around its writes.
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  BUSYBOX, DESIGNS, MODES, exitOf, ok, startPause, stopInit, untilReady, BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the stderr robustness tests', KERNEL, BUSYBOX_INSTALLED);

type Stderr = 'a pipe with no reader' | 'a full pipe' | '/dev/full';
const STDERRS: Stderr[] = ['a pipe with no reader', 'a full pipe', '/dev/full'];

/** Opens what pause gets as stderr; close() releases every fd it took. */
async function openStderr(kind: Stderr, dir: string): Promise<{ fd: number; close: () => void }> {
  if (kind === '/dev/full') {
    const fd = openSync('/dev/full', 'w');
    return { fd, close: () => closeSync(fd) };
  }
  const fifo = join(dir, 'stderr');
  await ok('mkfifo', [fifo]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const fds = [reader];
  if (kind === 'a full pipe') {
    // Filled through a file description of its own: pause's stays blocking.
    const filler = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    fds.push(filler);
    for (;;) {
      try {
        writeSync(filler, Buffer.alloc(4096));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
    }
  }
  const writer = openSync(fifo, constants.O_WRONLY);
  fds.push(writer);
  if (kind === 'a pipe with no reader') {
    closeSync(reader);
    fds.shift();
  }
  return { fd: writer, close: () => fds.forEach((fd) => closeSync(fd)) };
}

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  let cleanup: (() => void) | undefined;
  afterEach(async () => {
    await stopInit(pause);
    cleanup?.();
    cleanup = undefined;
  });

  /** Starts pause with stderr of that kind, in a scratch directory removed at the end. */
  async function start(kind: Stderr, mode: (typeof MODES)[number], argv: string[]): Promise<PauseProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'pausekit-stderr-'));
    const stderr = await openStderr(kind, dir);
    cleanup = () => {
      stderr.close();
      rmSync(dir, { recursive: true, force: true });
    };
    const started = await startPause(mode, argv, [], { stderrFd: stderr.fd });
    return started;
  }

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      for (const kind of STDERRS) {
        it(`in reference mode, with stderr ${kind}, still sets up, and exits 0 on SIGTERM (${design} design, as ${mode})`, async () => {
          pause = await start(kind, mode, [pauseBinary(design)]);
          await untilReady(pause, design);
          pause.kill('SIGTERM');
          expect(await exitOf(pause, 'pause')).toEqual({ code: 0, signal: null });
        });

        it(`in init mode, with stderr ${kind}, exits 127 when the program is missing (${design} design, as ${mode})`, async () => {
          pause = await start(kind, mode, [pauseBinary(design), '--', 'pausekit-no-such-program']);
          expect(await exitOf(pause, 'pause')).toEqual({ code: 127, signal: null });
        });

        it(`in init mode, with stderr ${kind}, exits 2 on bad usage (${design} design, as ${mode})`, async () => {
          pause = await start(kind, mode, [pauseBinary(design), '-e', 'x', '--', BUSYBOX, 'true']);
          expect(await exitOf(pause, 'pause')).toEqual({ code: 2, signal: null });
        });
      }
    }
  }
});
