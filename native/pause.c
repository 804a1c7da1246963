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
 * SYS_NOLIBC builds without any C library: sys/sys.h makes the few raw
 * system calls, with one file of machine facts per architecture
 * (sys/arch/<arch>.h), which keeps the static binary near 1 KiB and its
 * resident set to a few pages. This file has no machine-specific code.
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

/* The system calls, raw (SYS_NOLIBC) or through the C library. */
#include "sys/sys.h"

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
