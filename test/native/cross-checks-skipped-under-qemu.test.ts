// Issue 11: what qemu-user changes, and so which of the host's checks of
// pause (test/pause-*.test.ts, test/kernel-*.test.ts) do not run for the
// foreign architectures. Each is declared here, skipped, with its reason
// printed. (The kernel differential and the model run on the host only.)
import { it } from 'vitest';
import { FOREIGN_ARCHES, qemuMissing } from '../support/qemu.ts';

/** qemu emulates a default action by re-raising the signal on itself; the kernel drops that for a namespace init. */
const WEDGE = 'under qemu-user a signal the guest leaves at its default action wedges qemu as a namespace init ' +
  '(qemu re-raises it on itself, the kernel drops it for a namespace init, qemu sleeps forever with it pending): ' +
  'the kernel\'s namespace-init protection is not what the guest sees';

const SKIPPED: { check: string; reason: string }[] = [
  { check: 'as PID 1 ignores SIGHUP, SIGUSR1, SIGUSR2, SIGALRM and SIGPIPE (kernel-init-protection)', reason: WEDGE },
  { check: 'as a plain process dies of a signal it has no handler for (pause-signal-dispositions)', reason: 'it sends a signal pause does not handle; ' + WEDGE },
  { check: 'catches exactly INT, TERM and CHLD, seen in /proc/PID/status (pause-signal-dispositions)', reason: 'qemu-user installs host handlers for every signal and keeps the guest\'s mask itself: /proc shows qemu, not the guest' },
  { check: 'is not woken by children that stop or continue, SA_NOCLDSTOP (pause-sa-nocldstop)', reason: 'qemu-user\'s own host SIGCHLD handler wakes for stops and continues whatever the guest asked, and /proc counts qemu\'s wake-ups' },
  { check: 'exits 4 when blocking its signals fails, sigwait design (pause-setup-failure-exit-codes)', reason: 'qemu-user keeps the guest\'s signal mask itself: the guest\'s rt_sigprocmask never reaches the host, where failcall makes calls fail' },
];

const arches = FOREIGN_ARCHES.filter((arch) => qemuMissing(arch) === undefined);
for (const { check, reason } of SKIPPED) {
  if (arches.length > 0) console.warn(`skipped under qemu for ${arches.join(', ')}: pause ${check}: ${reason}`);
  for (const arch of arches) it.skip(`pause for ${arch} ${check} [skipped under qemu: ${reason}]`, () => {});
}
