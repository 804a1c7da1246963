/*
 * pause-0.1.0.c: pausekit's pause as version 0.1.0 had it, kept so that the
 * benchmark can time today's pause side by side with it (the `pause-0.1.0`
 * row of `pausekit bench`): a change that slows pause on its SIGTERM path
 * shows against this fixed point as well as against the kernel's floor.
 *
 * It is native/pause.c of commit 31a8671 ("pause.c: name the SHUTTING_DOWN
 * state the model has"), the last change to it before 0.2.0, unchanged below
 * this comment; it needs no other file. bench/Makefile builds it as 0.1.0's
 * native/Makefile built the default `pause`: the sigwait design, static,
 * without libc on x86-64 (1,296 bytes), with static libc elsewhere.
 *
 * Not maintained: it is a measurement reference, not code that ships.
 */

/*
 * pause: hold a pod's namespaces as PID 1, reap every orphan, and go down
 * cleanly on SIGINT or SIGTERM. Behaviour of the Kubernetes pause container,
 * in two signal designs from this one file:
 *
 *   DESIGN_SIGWAIT (default)  INT, TERM and CHLD are blocked and taken one at
 *                             a time from rt_sigtimedwait(): no code ever runs
 *                             in signal context.
 *   DESIGN_HANDLERS           the reference design: asynchronous handlers and
 *                             a pause() loop, made async-signal-safe (write()
 *                             and _exit() only, never stdio or exit()).
 *
 * Both designs go through the same states and events, named as in the
 * AssemblyScript model (asm/pause.ts), which mirrors this file step by step:
 *
 *   state    WAITING   blocked in pause() or the signal wait
 *            REAPING   calling waitpid(-1, WNOHANG) until it returns <= 0
 *            SHUTTING_DOWN  between on_shutdown()'s write() and its _exit()
 *            EXITED    gone, with exit code 0 (or a setup failure's code)
 *   event    EVENT_SHUTDOWN  SIGINT or SIGTERM arrived: print, exit 0
 *            EVENT_CHILD     SIGCHLD arrived: reap every zombie
 *
 * Error policy: fail hard during setup, each failure with its own exit code
 * (EXIT_* below, listed in the README); nothing in the main loop can fail.
 *
 * PAUSE_NOLIBC builds without any C library (x86-64 only): a few raw system
 * calls below replace the libc wrappers, which keeps the static binary under
 * 10 KiB and its resident set to a few pages.
 *
 * Mutants (test builds only; the suite must catch each one):
 *   MUTANT_REAP_ONCE      one waitpid() per SIGCHLD: leaks under coalescing
 *   MUTANT_NO_CHLD        SIGCHLD is never taken: zombies pile up
 *   MUTANT_NO_TERM        SIGTERM is never taken: as PID 1 it is ignored
 *   MUTANT_WRONG_CODE     exits 1 instead of 0 on SIGINT/SIGTERM
 *   MUTANT_REAP_ECHILD    reaps until ECHILD instead of until 0: spins
 */

#if !defined(DESIGN_SIGWAIT) && !defined(DESIGN_HANDLERS)
#define DESIGN_SIGWAIT 1
#endif
#if defined(DESIGN_SIGWAIT) && defined(DESIGN_HANDLERS)
#error "choose one of DESIGN_SIGWAIT and DESIGN_HANDLERS"
#endif

#ifndef VERSION
#define VERSION HEAD
#endif
#define STRINGIFY(x) #x
#define VERSION_STRING(x) STRINGIFY(x)

/* Setup failures, one exit code each. */
enum {
	EXIT_OK = 0,
	EXIT_SIGINT_SETUP = 1,  /* could not take over SIGINT */
	EXIT_SIGTERM_SETUP = 2, /* could not take over SIGTERM */
	EXIT_SIGCHLD_SETUP = 3, /* could not take over SIGCHLD */
	EXIT_BLOCK_SETUP = 4,   /* sigwait design: could not block the signals */
	EXIT_LOOP_ENDED = 42,   /* unreachable: the main loop never ends */
};

#ifdef MUTANT_WRONG_CODE
#define EXIT_SHUTDOWN 1
#else
#define EXIT_SHUTDOWN EXIT_OK
#endif

/* ------------------------------------------------------------------------ */
/* System calls: libc wrappers, or raw syscalls in the libc-free build.      */
/* ------------------------------------------------------------------------ */

#ifdef PAUSE_NOLIBC

#if !defined(__x86_64__)
#error "PAUSE_NOLIBC supports x86-64 only; build with a C library elsewhere"
#endif

#define SIGINT 2
#define SIGTERM 15
#define SIGCHLD 17
#define SA_NOCLDSTOP 0x00000001UL
#define SA_RESTORER 0x04000000UL
#define SIG_BLOCK 0
#define SIG_DFL ((void (*)(int))0)
#define WNOHANG 1
#define EINTR 4
#define NR_write 1
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_rt_sigreturn 15
#define NR_pause 34
#define NR_getpid 39
#define NR_wait4 61
#define NR_rt_sigtimedwait 128
#define NR_exit_group 231

typedef unsigned long sigset_bits;

/* The kernel's struct sigaction on x86-64 (not libc's). */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	sigset_bits mask;
};

static inline long syscall4(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Handlers return through this trampoline, as libc's sigaction arranges. */
void pause_restorer(void);
__asm__(".text\n"
	"pause_restorer:\n"
	"\tmov $15, %eax\n" /* NR_rt_sigreturn */
	"\tsyscall\n");

/* The entry point: argc and argv sit on the initial stack. */
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
	"\tmov $231, %eax\n" /* NR_exit_group */
	"\tsyscall\n");

static inline long sys_write(int fd, const char *buf, unsigned long len)
{
	return syscall4(NR_write, fd, (long)buf, (long)len, 0);
}

static inline __attribute__((noreturn)) void sys_exit(int code)
{
	for (;;)
		syscall4(NR_exit_group, code, 0, 0, 0);
}

static inline int sys_getpid(void)
{
	return (int)syscall4(NR_getpid, 0, 0, 0, 0);
}

static inline int sys_waitpid_any_nohang(void)
{
	return (int)syscall4(NR_wait4, -1, 0, WNOHANG, 0);
}

static inline void sys_pause(void)
{
	syscall4(NR_pause, 0, 0, 0, 0);
}

static inline int sys_sigaction(int sig, void (*handler)(int), unsigned long flags)
{
	struct kernel_sigaction act = {
		.handler = handler,
		.flags = flags | SA_RESTORER,
		.restorer = pause_restorer,
		.mask = 0,
	};

	return syscall4(NR_rt_sigaction, sig, (long)&act, 0,
			sizeof(sigset_bits)) < 0 ? -1 : 0;
}

static inline void set_add(sigset_bits *set, int sig)
{
	*set |= 1UL << (sig - 1);
}

static inline int sys_block(const sigset_bits *set)
{
	return syscall4(NR_rt_sigprocmask, SIG_BLOCK, (long)set, 0,
			sizeof(sigset_bits)) < 0 ? -1 : 0;
}

/* The lowest-numbered pending signal of the set; -EINTR if interrupted. */
static inline int sys_sigwait(const sigset_bits *set)
{
	return (int)syscall4(NR_rt_sigtimedwait, (long)set, 0, 0,
			     sizeof(sigset_bits));
}

#else /* with a C library */

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

typedef sigset_t sigset_bits;

static inline long sys_write(int fd, const char *buf, unsigned long len)
{
	return write(fd, buf, len);
}

static inline __attribute__((noreturn)) void sys_exit(int code)
{
	_exit(code);
}

static inline int sys_getpid(void)
{
	return (int)getpid();
}

static inline int sys_waitpid_any_nohang(void)
{
	return (int)waitpid(-1, 0, WNOHANG);
}

static inline void sys_pause(void)
{
	pause();
}

static inline int sys_sigaction(int sig, void (*handler)(int), unsigned long flags)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = (int)flags };

	sigemptyset(&act.sa_mask);
	return sigaction(sig, &act, 0);
}

static inline void set_add(sigset_bits *set, int sig)
{
	sigaddset(set, sig);
}

static inline int sys_block(const sigset_bits *set)
{
	return sigprocmask(SIG_BLOCK, set, 0);
}

static inline int sys_sigwait(const sigset_bits *set)
{
	int sig = sigwaitinfo(set, 0);

	return sig < 0 ? -errno : sig;
}

#endif /* PAUSE_NOLIBC */

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

static unsigned long length(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(int fd, const char *s)
{
	sys_write(fd, s, length(s));
}

/* strcasecmp(arg, "-v") == 0, without the locale machinery. */
static int is_version_flag(const char *arg)
{
	return arg[0] == '-' && (arg[1] == 'v' || arg[1] == 'V') && !arg[2];
}

/*
 * psignal(sig, "Shutting down, got signal") prints one of these two lines;
 * only SIGINT and SIGTERM ever shut pause down. One write() each, so the
 * line is atomic and async-signal-safe.
 */
static const char *const shutdown_message[] = {
	[SIGINT] = "Shutting down, got signal: Interrupt\n",
	[SIGTERM] = "Shutting down, got signal: Terminated\n",
};

/* ------------------------------------------------------------------------ */
/* The two events, shared by both designs                                    */
/* ------------------------------------------------------------------------ */

/* EVENT_SHUTDOWN: SIGINT or SIGTERM. Say which (SHUTTING_DOWN), and exit. */
static __attribute__((noreturn)) void on_shutdown(int sig)
{
	say(2, shutdown_message[sig]);
	sys_exit(EXIT_SHUTDOWN);
}

/*
 * EVENT_CHILD: SIGCHLD. Standard signals coalesce, so one SIGCHLD may stand
 * for many dead children: reap until waitpid() says no zombie is left
 * (0: children alive, none dead; -1: no children at all).
 */
static void on_child(int sig)
{
	(void)sig;
#if defined(MUTANT_REAP_ONCE)
	sys_waitpid_any_nohang();
#elif defined(MUTANT_REAP_ECHILD)
	while (sys_waitpid_any_nohang() >= 0)
		;
#else
	while (sys_waitpid_any_nohang() > 0)
		;
#endif
}

/* ------------------------------------------------------------------------ */
/* Design: asynchronous handlers and a pause() loop                          */
/* ------------------------------------------------------------------------ */

#ifdef DESIGN_HANDLERS

/* The reference's table: which handler takes which signal, with what flags. */
static const struct {
	int sig;
	void (*handler)(int);
	unsigned long flags;
	int exit_code;
} takeover[] = {
	{ SIGINT, on_shutdown, 0, EXIT_SIGINT_SETUP },
#ifndef MUTANT_NO_TERM
	{ SIGTERM, on_shutdown, 0, EXIT_SIGTERM_SETUP },
#endif
#ifndef MUTANT_NO_CHLD
	{ SIGCHLD, on_child, SA_NOCLDSTOP, EXIT_SIGCHLD_SETUP },
#endif
};

static int run(void)
{
	unsigned i;

	for (i = 0; i < sizeof(takeover) / sizeof(takeover[0]); i++)
		if (sys_sigaction(takeover[i].sig, takeover[i].handler,
				  takeover[i].flags) < 0)
			return takeover[i].exit_code;

	/* WAITING: each signal runs its handler, then pause() returns. */
	for (;;)
		sys_pause();
	return EXIT_LOOP_ENDED;
}

#endif /* DESIGN_HANDLERS */

/* ------------------------------------------------------------------------ */
/* Design: blocked signals taken synchronously from a wait loop              */
/* ------------------------------------------------------------------------ */

#ifdef DESIGN_SIGWAIT

static int run(void)
{
	sigset_bits waited = { 0 };

	/*
	 * SIGCHLD stays at its default action, but with SA_NOCLDSTOP so that
	 * stopped and continued children send nothing, as in the reference.
	 * Blocked signals are never dropped, not even for a namespace init.
	 */
	if (sys_sigaction(SIGCHLD, SIG_DFL, SA_NOCLDSTOP) < 0)
		return EXIT_SIGCHLD_SETUP;

	set_add(&waited, SIGINT);
#ifndef MUTANT_NO_TERM
	set_add(&waited, SIGTERM);
#endif
#ifndef MUTANT_NO_CHLD
	set_add(&waited, SIGCHLD);
#endif
	if (sys_block(&waited) < 0)
		return EXIT_BLOCK_SETUP;

	/* WAITING: the lowest-numbered pending signal comes first. */
	for (;;) {
		int sig = sys_sigwait(&waited);

		switch (sig) {
		case SIGINT:  /* EVENT_SHUTDOWN */
		case SIGTERM: /* EVENT_SHUTDOWN */
			on_shutdown(sig);
		case SIGCHLD: /* EVENT_CHILD: REAPING */
			on_child(sig);
			break;
		default: /* -EINTR after a stop and continue: wait again */
			break;
		}
	}
	return EXIT_LOOP_ENDED;
}

#endif /* DESIGN_SIGWAIT */

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (is_version_flag(argv[i])) {
			say(1, "pause.c " VERSION_STRING(VERSION) "\n");
			return EXIT_OK;
		}
	}

	/* Not an error: pause also sees use outside of infra containers. */
	if (sys_getpid() != 1)
		say(2, "Warning: pause should be the first process\n");

	return run();
}
