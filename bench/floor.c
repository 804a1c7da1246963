/*
 * floor: the kernel's own cost, the baseline every benchmark divides by.
 *
 *   floor             installs nothing and sleeps in pause(): SIGTERM's
 *                     default action kills it (the latency floor; as PID 1
 *                     of a PID namespace only SIGKILL can, so that is sent).
 *   floor autoreap    first sets SIGCHLD to SIG_IGN: as PID 1 the kernel
 *                     reaps its orphans at their exit (the reaping floor).
 *
 * Built without a C library, like the default pause and with the same system
 * call layer (native/sys/sys.h), so that its own exit costs no more than the
 * smallest possible program's.
 */

/* The system calls, raw (SYS_NOLIBC) or through the C library. */
#include "../native/sys/sys.h"

/* SIGCHLD to SIG_IGN: the kernel then reaps every child at its exit. */
static int ignore_children(void)
{
	return sys_sigaction(SIGCHLD, SIG_IGN, 0) < 0 ? 1 : 0;
}

static void sleep_forever(void)
{
	for (;;)
		sys_pause();
}

/* "autoreap": the only argument; anything else is a usage error (exit 2). */
static int is_autoreap(const char *arg)
{
	const char *want = "autoreap";

	while (*arg && *arg == *want) {
		arg++;
		want++;
	}
	return *arg == *want;
}

int main(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && !is_autoreap(argv[1])))
		return 2;
	if (argc == 2 && ignore_children())
		return 1;
	sleep_forever();
	return 3;
}
