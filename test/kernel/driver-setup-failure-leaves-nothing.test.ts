// The kernel driver leaves nothing in /tmp, even when its setup dies after
// init mode has made the PATH directory of a failing exec: die() runs the
// cleanup start.c registered with it. Each run gets a /tmp of its own (a
// tmpfs in a private mount namespace), so that what is left there is the
// driver's alone; native/failcall makes the fork of the init fail. The
// binaries are copied into that /tmp first (a checkout under /tmp would be
// hidden by it), and the copies removed before /tmp is listed.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVER, findOnPath, NATIVE_DIR, pauseBinary } from '../../src/engines/kernel/engine.ts';
import { cannotRun, KERNEL, need } from '../support/gate.ts';

const FAILCALL = `${NATIVE_DIR}failcall`;
/** clone()'s flags in glibc's fork(): CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD. */
const FORK_FLAGS = 0x01000000 | 0x00200000 | 17;

const why = process.getuid?.() !== 0 ? 'a private /tmp needs root (a mount namespace and a tmpfs)'
  : findOnPath('unshare') === undefined ? 'unshare (util-linux) is not installed'
  : !existsSync(FAILCALL) ? `${FAILCALL} is missing: run 'npm run build'`
  : !['x64', 'arm64'].includes(process.arch) ? `failcall knows x86-64 and aarch64 only, not ${process.arch}` : undefined;
const skip = cannotRun('the driver\'s /tmp cleanup tests', KERNEL, need('a private /tmp and failcall', () => why));

/**
 * Runs the driver (after `prefix`, e.g. failcall) in init mode with a failing
 * exec, stdin closed at once, in a private /tmp; its stdout, exit code and
 * what it left in /tmp.
 */
function runInPrivateTmp(failcall: string[], exec: 'missing' | 'not-executable'): Promise<{ stdout: string; code: string; left: string[] }> {
  const program = exec === 'missing' ? 'pausekit-missing' : 'pausekit-not-executable';
  const bin = '/tmp/.pausekit-bin';
  const prefix = failcall.length > 0 ? [`${bin}/failcall`, ...failcall] : [];
  const driver = [...prefix, `${bin}/driver`, '--mode', 'pid1', '--init-program', program, exec, '--', `${bin}/pause`, '--', program];
  // $1..$3: the driver, pause and failcall, opened before the tmpfs hides them.
  const script = [
    'exec 3<"$1" 4<"$2" 5<"$3"; shift 3',
    'mount -t tmpfs pausekit-private-tmp /tmp || exit 99',
    `mkdir ${bin} && cat <&3 >${bin}/driver && cat <&4 >${bin}/pause && cat <&5 >${bin}/failcall && chmod +x ${bin}/* || exit 98`,
    'exec 3<&- 4<&- 5<&-',
    '"$@" </dev/null; echo "driver exit $?"',
    `rm -r ${bin}; ls -A /tmp`,
  ].join('\n');
  const binaries = [DRIVER, pauseBinary('sigwait'), FAILCALL];
  return new Promise((resolve, reject) => {
    execFile('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...binaries, ...driver], (error, stdout) => {
      if (error !== null) return reject(error);
      const match = /^([\s\S]*)driver exit (\d+)\n([\s\S]*)$/.exec(stdout);
      if (match === null) return reject(new Error(`the script did not finish: ${stdout}`));
      const [, before, code, after] = match as unknown as [string, string, string, string];
      resolve({ stdout: before, code, left: after.split('\n').filter((name) => name !== '') });
    });
  });
}

describe.skipIf(skip)('the kernel driver in init mode with a failing exec', () => {
  for (const exec of ['missing', 'not-executable'] as const) {
    it(`removes its PATH directory when the scenario ends (${exec})`, async () => {
      const run = await runInPrivateTmp([], exec);
      expect(run.code).toBe('0');
      expect(run.stdout).toMatch(/^pause /m);
      expect(run.left).toEqual([]);
    });

    it(`removes its PATH directory when its setup dies after making it (${exec})`, async () => {
      const run = await runInPrivateTmp(['clone', String(FORK_FLAGS)], exec);
      expect({ stdout: run.stdout, code: run.code }).toEqual({ stdout: 'error cannot fork pause: Invalid argument\nend\n', code: '3' });
      expect(run.left).toEqual([]);
    });
  }
});
