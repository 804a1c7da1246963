// SIGTERM's way out, system call by system call (strace): as PID 1 in
// reference mode pause polls stderr, writes its line and exits -- three
// calls, as few as a line that never blocks allows (the kernel drops a
// namespace init's own SIGPIPE at its default action, so nothing guards
// the write). As a plain process SIGPIPE is blocked around the write and
// the one it raised taken back, so that pause never dies of it. Every
// design. This is the benchmark's path (SIGTERM to exit as PID 1), held
// here by what pause does, not by a clock.
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, childrenOf, foreground, pid1Prefix, stopPause, until, untilReady, warnIfSkipped, type Mode, type PauseProcess,
} from '../support/processes.ts';

const STRACE = ['/usr/bin/strace', '/bin/strace'].find((path) => existsSync(path));
if (STRACE === undefined) console.warn('skipping the shutdown system call tests: strace is not installed (apt-get install strace)');
const skip = warnIfSkipped('the shutdown system call tests') || STRACE === undefined;
const dir = mkdtempSync(join(tmpdir(), 'pausekit-strace-'));

/** pause started under strace -f (through unshare for PID 1); its pid is found among strace's descendants by its executable. */
async function startTraced(mode: Mode, binary: string, log: string): Promise<PauseProcess> {
  const prefix = mode === 'PID 1' ? pid1Prefix() : [];
  const started = foreground(STRACE!, ['-f', '-qq', '-o', log, ...prefix, binary]);
  const descendants = (pid: number): number[] => childrenOf(pid).flatMap((c) => [c, ...descendants(c)]);
  const pid = await until('pause runs under strace', () => {
    if (started.child.exitCode !== null) throw new Error(`strace exited: ${started.stderr()}`);
    return descendants(started.child.pid!).find((p) => {
      try {
        return readlinkSync(`/proc/${p}/exe`) === binary;
      } catch {
        return false;
      }
    });
  });
  return { ...started, pid, kill: (signal) => process.kill(pid, signal) };
}

/** The system calls pid made after it took SIGTERM (from its wait, or as a handler), by name. */
function callsAfterSigterm(log: string, pid: number): string[] {
  const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith(`${pid} `)).map((l) => l.slice(`${pid} `.length).trimStart());
  const taken = lines.findIndex((l) => /^rt_sigtimedwait\(.*= 15 \(SIGTERM\)/.test(l) || /^--- SIGTERM /.test(l));
  expect(taken, `pause took SIGTERM:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
  return lines.slice(taken + 1).flatMap((l) => /^(\w+)\(/.exec(l)?.[1] ?? []);
}

const EXPECTED: Record<Mode, string[]> = {
  'PID 1': ['ppoll', 'write', 'exit_group'],
  'a plain process': ['rt_sigprocmask', 'ppoll', 'write', 'rt_sigtimedwait', 'rt_sigprocmask', 'exit_group'],
};

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      it(`goes from SIGTERM to its exit through ${EXPECTED[mode].join(', ')} (${design} design, as ${mode})`, async () => {
        const log = join(dir, `${design}-${mode.replace(/ /g, '-')}.log`);
        pause = await startTraced(mode, pauseBinary(design), log);
        await untilReady(pause, design);
        pause.kill('SIGTERM');
        expect(await pause.exited).toEqual({ code: 0, signal: null });
        expect(callsAfterSigterm(log, pause.pid)).toEqual(EXPECTED[mode]);
      });
    }
  }
});
