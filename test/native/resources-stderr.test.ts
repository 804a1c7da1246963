// A stderr pause cannot write to changes nothing but the lost line: closed,
// a pipe nobody reads that is full, a pipe whose reader is gone, or
// /dev/full. pause never blocks on the write, never dies of SIGPIPE, keeps
// reaping as PID 1, and exits 0 on SIGTERM, on every design, as PID 1 and as
// a plain process. The pipes are FIFOs (the same kernel pipe as `|` makes,
// with a name, so the test can hold its reader or drop it).
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, childrenOf, exitOf, startPause, stopPause, until, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the unwritable stderr tests', KERNEL);
const ORPHANS = 50;

interface Stderr {
  /** The fd pause gets as stderr ('pipe': the test's usual pipe), and a shell redirect for pause's exec. */
  fd: number | 'pipe';
  redirect: string;
  /** What a reader still finds in the pipe after pause exited, if anything can be read. */
  leftover?: () => Buffer;
  close: () => void;
}

const KINDS: Record<string, (dir: string) => Stderr> = {
  closed: () => ({ fd: 'pipe', redirect: ' 2>&-', close: () => {} }),
  'a full pipe nobody reads': (dir) => {
    const fifo = join(dir, 'full');
    execFileSync('mkfifo', [fifo]);
    // The reader end stays open here and is never read until pause is gone.
    const reader = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    let filled = 0;
    for (;;) {
      try {
        filled += writeSync(reader, Buffer.alloc(65536, 'x'));
      } catch {
        break; // EAGAIN: full
      }
    }
    const writer = openSync(fifo, constants.O_WRONLY); // blocking, as a real stderr
    return {
      fd: writer, redirect: '',
      leftover: () => {
        const buf = Buffer.alloc(filled + 4096);
        let got = 0;
        for (;;) {
          try {
            const n = readSync(reader, buf, got, buf.length - got, null);
            if (n <= 0) break;
            got += n;
          } catch {
            break; // EAGAIN: drained
          }
        }
        return buf.subarray(0, got);
      },
      close: () => {
        closeSync(writer);
        closeSync(reader);
      },
    };
  },
  'a pipe whose reader is gone': (dir) => {
    const fifo = join(dir, 'broken');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDWR);
    const writer = openSync(fifo, constants.O_WRONLY);
    closeSync(reader); // no reader left: a write gets EPIPE and SIGPIPE
    return { fd: writer, redirect: '', close: () => closeSync(writer) };
  },
  '/dev/full': () => {
    const full = openSync('/dev/full', constants.O_WRONLY);
    return { fd: full, redirect: '', close: () => closeSync(full) };
  },
};

describe.skipIf(skip)('pause with a stderr it cannot write to', () => {
  let pause: PauseProcess | undefined;
  let stderr: Stderr | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'pausekit-stderr-'));
  afterEach(async () => {
    await stopPause(pause);
    pause = undefined;
    stderr?.close();
    stderr = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const [kind, open] of Object.entries(KINDS)) {
      for (const mode of MODES) {
        const reaps = mode === 'PID 1' ? `, reaps ${ORPHANS} adopted orphans` : '';
        it(`stderr ${kind}: keeps running${reaps}, exits 0 on SIGTERM, not by SIGPIPE, never hangs (${design} design, as ${mode})`, async () => {
          stderr = open(mkdtempSync(join(dir, 'case-')));
          // As PID 1, a subshell forks the orphans (they wait on fd 3) and
          // exits, then the shell becomes pause.
          const orphans = mode === 'PID 1' ? `(i=0; while [ $i -lt ${ORPHANS} ]; do read x <&3 & i=$((i+1)); done) & ` : '';
          pause = await startPause(mode, ['sh', '-c', `${orphans}exec "$0"${stderr.redirect}`, pauseBinary(design)], ['pipe'], stderr.fd === 'pipe' ? {} : { stderrFd: stderr.fd });
          await untilReady(pause, design);
          const { pid } = pause;
          if (mode === 'PID 1') {
            // Deadlines are generous: the shell forks on a loaded 2-core machine.
            await until(`pause has adopted ${ORPHANS} orphans`, () => (childrenOf(pid).length === ORPHANS ? true : undefined), 60_000);
            (pause.child.stdio[3] as Writable).end();
            await until('every orphan is reaped', () => (childrenOf(pid).length === 0 ? true : undefined), 60_000);
          }
          pause.kill('SIGTERM');
          expect(await exitOf(pause, 'pause after SIGTERM', 5000)).toEqual({ code: 0, signal: null });
          if (stderr.fd === 'pipe') expect(pause.stderr()).toBe('');
          // The full pipe held only what filled it: both lines were lost, none half-written.
          if (stderr.leftover) expect(stderr.leftover().toString().replace(/x/g, '')).toBe('');
        });
      }
    }
  }
});
