// Can init mode let the kernel reap, as the autoreap design does, and still
// exit with its program's status? This is the measurement (bench/autoreap-probe.c, as PID 1 of a fresh PID namespace
// with SIGCHLD at SIG_IGN). A child cloned with exit signal 0 keeps its
// status (docs/model.md, K15) -- until it execve()s: exec resets the exit
// signal to SIGCHLD, the kernel releases the program at its exit, and its
// status is lost. So the autoreap design's init mode reaps as sigwait does.
// The one way that works is a pidfd's PIDFD_GET_INFO with PIDFD_INFO_EXIT,
// which keeps the status after the release (Linux 6.15 and later).
import { spawnSync } from 'node:child_process';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kernelAvailability } from '../../src/engines/kernel/engine.ts';
import { cannotRun, file, KERNEL } from '../support/gate.ts';

const PROBE = fileURLToPath(new URL('../../build/bench/autoreap-probe', import.meta.url));
const available = kernelAvailability();
const skip = cannotRun('the autoreap init-mode probe', KERNEL, file(PROBE));

/** The running kernel's version as [major, minor]. */
function kernelVersion(): [number, number] {
  const [major, minor] = release().split('.').map((n) => Number.parseInt(n, 10));
  return [major ?? 0, minor ?? 0];
}

describe.skipIf(skip)('an init that lets the kernel reap', () => {
  it('keeps a cloned child\'s status only until it execs; a pidfd keeps it on Linux 6.15+; no zombie either way', () => {
    const userns = available.ok && available.mode === 'userns' ? ['--user', '--map-root-user'] : [];
    const run = spawnSync('unshare', [...userns, '--pid', '--fork', '--kill-child', PROBE], { encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const [major, minor] = kernelVersion();
    const pidfdInfo = major > 6 || (major === 6 && minor >= 15);
    console.log(`kernel ${release()}:\n  ${lines.join('\n  ')}`);
    expect(lines).toEqual([
      'clone-no-exec kept 3',
      'clone-exec lost ECHILD',
      pidfdInfo ? 'pidfd-info kept 3' : expect.stringMatching(/^pidfd-info unsupported /),
      'zombies 0',
    ]);
  });
});
