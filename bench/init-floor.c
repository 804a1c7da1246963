/*
 * init-floor: the smallest correct init, the baseline of the benchmark's
 * init-mode rows (SIGTERM to PID 1 -> forwarded -> the program exits ->
 * the init exits).
 *
 *   init-floor PROGRAM [ARGS...]     PROGRAM is a path: no PATH search
 *
 * It blocks every signal, forks, and the child puts the mask back and
 * execs PROGRAM. The parent takes signals one at a time from the wait:
 * SIGCHLD reaps, and exits with the program's status (128+N for signal N)
 * as soon as it has reaped the program; any other signal is passed on to
 * the program. No options, no messages, no process group, no terminal, no
 * exec error but 127, no draining of other zombies before the exit:
 * nothing this benchmark needs from an init is left out, nothing else is in.
 *
 * Built without a C library through native/sys, like the default pause.
 */

/* The system calls, raw (SYS_NOLIBC) or through the C library. */
#include "../native/sys/sys.h"

int main(int argc, char **argv)
{
	sigset_bits all, original;
	int program, pid, sig, status;

	if (argc < 2)
		return 2;
	set_fill(&all);
	if (sys_sigmask(SIG_SETMASK, &all, &original) < 0)
		return 1;
	program = sys_fork();
	if (program < 0)
		return 1;
	if (program == 0) {
		sys_sigmask(SIG_SETMASK, &original, 0);
		sys_execve(argv[1], argv + 1, argv + argc + 1);
		sys_exit(127);
	}
	for (;;) {
		sig = sys_sigwait(&all);
		if (sig != SIGCHLD) {
			if (sig > 0)
				sys_kill(program, sig);
			continue;
		}
		while ((pid = sys_wait_any(&status)) > 0)
			if (pid == program)
				sys_exit(status & 0x7f ? 128 + (status & 0x7f) : (status >> 8) & 0xff);
	}
}
