// Issue 11: what qemu-user changes, and so which of the host's checks of
// pause do not run for the foreign architectures. Each is listed here with
// its reason, printed once per run, and with the host test that makes it on
// a machine of that architecture (where HOST_ARCH is it): this test checks
// that each of those host tests is still there, so a check dropped from the
// host suite cannot leave a reason pointing at nothing. (The kernel
// differential and the model run on the host only.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { FOREIGN_ARCHES, qemuMissing } from '../support/qemu.ts';

/** qemu emulates a default action by re-raising the signal on itself; the kernel drops that for a namespace init. */
const WEDGE = 'under qemu-user a signal the guest leaves at its default action wedges qemu as a namespace init ' +
  '(qemu re-raises it on itself, the kernel drops it for a namespace init, qemu sleeps forever with it pending): ' +
  'the kernel\'s namespace-init protection is not what the guest sees';

/** Each check qemu cannot make: why, the host test that makes it, and a line of that test's title. */
const NOT_UNDER_QEMU: { check: string; reason: string; hostTest: string; title: string }[] = [
  {
    check: 'as PID 1 ignores SIGHUP, SIGUSR1 and the other signals it has no handler for',
    reason: WEDGE, hostTest: 'test/kernel/init-protection.test.ts', title: 'sent from inside the namespace: the kernel drops it',
  },
  {
    check: 'as a plain process dies of a signal it has no handler for',
    reason: `it sends a signal pause does not handle; ${WEDGE}`, hostTest: 'test/native/signal-dispositions.test.ts', title: 'which it has no handler for, as a plain process',
  },
  {
    check: 'catches exactly INT, TERM and CHLD, seen in /proc/PID/status',
    reason: 'qemu-user installs host handlers for every signal and keeps the guest\'s mask itself: /proc shows qemu, not the guest',
    hostTest: 'test/native/signal-dispositions.test.ts', title: 'catches exactly INT, TERM and CHLD',
  },
  {
    check: 'is not woken by children that stop or continue (SA_NOCLDSTOP)',
    reason: 'qemu-user\'s own host SIGCHLD handler wakes for stops and continues whatever the guest asked, and /proc counts qemu\'s wake-ups',
    hostTest: 'test/native/sa-nocldstop.test.ts', title: 'keeps pause asleep when its child stops and continues',
  },
  {
    check: 'exits 4 when blocking its signals fails, sigwait design',
    reason: 'qemu-user keeps the guest\'s signal mask itself: the guest\'s rt_sigprocmask never reaches the host, where failcall makes calls fail',
    hostTest: 'test/native/setup-failure-exit-codes.test.ts', title: 'sigprocmask(SIG_BLOCK)',
  },
];

const arches = FOREIGN_ARCHES.filter((arch) => qemuMissing(arch) === undefined);
if (arches.length > 0) {
  console.warn(`not checked under qemu for ${arches.join(', ')} (each runs on the host's own build, and on a machine of that architecture):\n` +
    NOT_UNDER_QEMU.map(({ check, reason, hostTest }) => `  pause ${check} (${hostTest}): ${reason}`).join('\n'));
}

it.each(NOT_UNDER_QEMU)('pause $check: qemu-user cannot show it, so the host test $hostTest makes it', ({ hostTest, title }) => {
  const source = readFileSync(fileURLToPath(new URL(`../../${hostTest}`, import.meta.url)), 'utf8');
  expect(source, `${hostTest} no longer has the check '${title}'`).toContain(title);
});
