// Where no PID namespace can be made (neither directly nor inside a user
// namespace), `pausekit run` says so and why, and exits 2. native/failcall
// makes both unshare() calls fail for the whole command (seccomp filters are
// inherited by every child, the driver included).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cannotRun } from '../support/gate.ts';
import { FAILCALL, FAILCALL_BUILT } from '../support/processes.ts';

const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));
const CLONE_NEWPID = 0x20000000;
const CLONE_NEWUSER = 0x10000000;
const skip = cannotRun('the no-namespace test', FAILCALL_BUILT);

describe.skipIf(skip)('a machine without PID namespaces', () => {
  it('gets a clear message from pausekit run, and exit code 2', () => {
    const result = spawnSync(FAILCALL, [
      'unshare', String(CLONE_NEWPID), FAILCALL, 'unshare', String(CLONE_NEWUSER | CLONE_NEWPID),
      process.execPath, BIN, 'run',
    ], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('pausekit: cannot run on the kernel: cannot create a PID namespace (Invalid argument): ' +
      'run as root, or allow unprivileged user namespaces\n');
  });
});
