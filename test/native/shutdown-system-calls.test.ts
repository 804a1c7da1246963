// SIGTERM's way out, system call by system call (strace): as PID 1 in
// reference mode pause writes its line with one call that cannot block
// (pwritev2 with RWF_NOWAIT) and exits -- as few calls as pause 0.1.0 made,
// which wrote with a plain write() that could block. The kernel drops a
// namespace init's own SIGPIPE at its default action, so nothing guards the
// write. As a plain process SIGPIPE is blocked around the write and the one
// it raised taken back, so that pause never dies of it. Where the file or
// the kernel cannot write without blocking (the call fails), poll decides
// and a plain write follows. Every design. This is the benchmark's path
// (SIGTERM to exit as PID 1), held here by what pause does, not by a clock.
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, childrenOf, foreground, pid1Prefix, stopPause, until, untilReady, type Mode, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, commands, KERNEL } from '../support/gate.ts';

const STRACE = ['/usr/bin/strace', '/bin/strace'].find((path) => existsSync(path));
const skip = cannotRun('the shutdown system call tests', KERNEL, commands(['strace'], 'apt-get install strace'));
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

/** The system calls pid made after it took SIGTERM (from its wait, or as a handler), by name; a failed one as `name!`. */
function callsAfterSigterm(log: string, pid: number): string[] {
  const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith(`${pid} `)).map((l) => l.slice(`${pid} `.length).trimStart());
  const taken = lines.findIndex((l) => /^rt_sigtimedwait\(.*= 15 \(SIGTERM\)/.test(l) || /^--- SIGTERM /.test(l));
  expect(taken, `pause took SIGTERM:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
  return lines.slice(taken + 1).flatMap((l) => {
    const name = /^(\w+)\(/.exec(l)?.[1];
    return name === undefined ? [] : [/ = -1 E[A-Z]+/.test(l) ? `${name}!` : name];
  });
}

/** The calls expected in a mode: the write that cannot block, or its fallback where it failed. */
function expected(mode: Mode, nowaitFailed: boolean): string[] {
  const write = nowaitFailed ? ['pwritev2!', 'ppoll', 'write'] : ['pwritev2'];
  return mode === 'PID 1' ? [...write, 'exit_group']
    : ['rt_sigprocmask', ...write, 'rt_sigtimedwait!', 'rt_sigprocmask', 'exit_group'];
}

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      it(`goes from SIGTERM to its exit through ${expected(mode, false).join(', ')} (${design} design, as ${mode})`, async () => {
        const log = join(dir, `${design}-${mode.replace(/ /g, '-')}.log`);
        pause = await startTraced(mode, pauseBinary(design), log);
        await untilReady(pause, design);
        pause.kill('SIGTERM');
        expect(await pause.exited).toEqual({ code: 0, signal: null });
        const calls = callsAfterSigterm(log, pause.pid);
        expect(calls).toEqual(expected(mode, calls.includes('pwritev2!')));
      });
    }
  }
});
