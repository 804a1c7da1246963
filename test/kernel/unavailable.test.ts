// Where no PID namespace can be made (neither directly nor inside a user
// namespace), `pausekit run` says so and why, and exits 2. native/failcall
// makes both unshare() calls fail for the whole command (seccomp filters are
// inherited by every child, the driver included).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NATIVE_DIR } from '../../src/engines/kernel/engine.ts';

const FAILCALL = `${NATIVE_DIR}failcall`;
const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));
const CLONE_NEWPID = 0x20000000;
const CLONE_NEWUSER = 0x10000000;
const why = !existsSync(FAILCALL) ? `${FAILCALL} is missing: run 'npm run build'`
  : !['x64', 'arm64'].includes(process.arch) ? `failcall knows x86-64 and aarch64 only, not ${process.arch}` : undefined;
const skip = why !== undefined;
if (skip) console.warn(`skipping the no-namespace test: ${why}`);

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
