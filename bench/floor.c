/*
 * floor: the kernel's own cost, the baseline every benchmark divides by.
 *
 *   floor             installs nothing and sleeps in pause(): SIGTERM's
 *                     default action kills it (the latency floor; as PID 1
 *                     of a PID namespace only SIGKILL can, so that is sent).
 *   floor autoreap    first sets SIGCHLD to SIG_IGN: as PID 1 the kernel
 *                     reaps its orphans at their exit (the reaping floor).
 *
 * Built without a C library on x86-64, like the default pause, so that its
 * own exit costs no more than the smallest possible program's.
 */

#ifdef __x86_64__

#define NR_rt_sigaction 13
#define NR_pause 34
#define NR_exit_group 231
#define SIGCHLD 17
#define SIG_IGN 1UL

/* The kernel's struct sigaction on x86-64. */
struct kernel_sigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	unsigned long mask;
};

static long syscall4(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

int main(int argc, char **argv);
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"\txor %ebp, %ebp\n"
	"\tmov (%rsp), %rdi\n"
	"\tlea 8(%rsp), %rsi\n"
	"\tand $-16, %rsp\n"
	"\tcall main\n"
	"\tmov %eax, %edi\n"
	"\tmov $231, %eax\n"
	"\tsyscall\n");

/* SIGCHLD to SIG_IGN: the kernel then reaps every child at its exit. */
static int ignore_children(void)
{
	struct kernel_sigaction act = { .handler = SIG_IGN };

	return syscall4(NR_rt_sigaction, SIGCHLD, (long)&act, 0, 8) < 0 ? 1 : 0;
}

static void sleep_forever(void)
{
	for (;;)
		syscall4(NR_pause, 0, 0, 0, 0);
}

#else /* with a C library */

#include <signal.h>
#include <unistd.h>

static int ignore_children(void)
{
	return signal(SIGCHLD, SIG_IGN) == SIG_ERR ? 1 : 0;
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

#endif

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
