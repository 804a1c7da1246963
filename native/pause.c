/*
 * pause: hold a pod's namespaces as PID 1, reap every orphan, and go down
 * cleanly on SIGINT or SIGTERM -- the Kubernetes pause container. Or, given
 * a program, be a container's init: run the program as its only child,
 * forward it every signal, reap every orphan, and exit with its status.
 *
 *   pause [-v]                                  reference mode
 *   pause [-s] [-g] [-e CODE]... -- PROGRAM [ARGS...]    init mode
 *
 * Init mode needs `--`, or one of -s -g -e first (then `--` is optional);
 * anything else is reference mode, where arguments other than -v/-V are
 * ignored, as the reference does. Options (init mode, before PROGRAM):
 *   -v, -V   print the version and exit 0
 *   -s       be a child subreaper when not PID 1 (also: PAUSE_SUBREAPER set)
 *   -g       forward signals to the program's process group, not the program
 *   -e CODE  the program's status CODE (0..255) becomes 0 (repeatable)
 *
 * Three signal designs, from this one file:
 *
 *   DESIGN_SIGWAIT (default)  the signals pause takes are blocked and taken
 *                             one at a time from rt_sigtimedwait(): no code
 *                             ever runs in signal context.
 *   DESIGN_HANDLERS           the reference design: asynchronous handlers and
 *                             a pause() loop, made async-signal-safe (system
 *                             calls only, never stdio or exit()).
 *   DESIGN_AUTOREAP           the kernel reaps: SIGCHLD at SIG_IGN, so every
 *                             child is released at its exit and a zombie
 *                             reparented to pause at once (kernel rule 15);
 *                             pause never wakes for a child. INT and TERM
 *                             are taken as in the sigwait design. Init mode
 *                             needs the program's status, which SIG_IGN
 *                             throws away (execve() resets a child's exit
 *                             signal to SIGCHLD, so no other exit signal
 *                             keeps it; docs/hardening.md): there it reaps
 *                             exactly as the sigwait design does.
 *
 * Every design and both modes go through the same states and events, named
 * as in the AssemblyScript model (asm/pause.ts), which mirrors this file:
 *
 *   state    WAITING        blocked in pause() or the signal wait
 *            REAPING        calling waitpid(-1, WNOHANG) until it returns <= 0
 *            FORWARDING     init mode: between taking a signal and its kill()
 *            SHUTTING_DOWN  reference mode: between the message and _exit()
 *            EXITED         gone, with its exit code
 *   event    EVENT_SHUTDOWN reference mode: SIGINT or SIGTERM: print, exit 0
 *            EVENT_FORWARD  init mode: a forwardable signal: kill() the program
 *            EVENT_CHILD    SIGCHLD: reap every zombie; in init mode, exit
 *                           with the program's status once it is among them
 *
 * Init mode, the start: the signals are taken (blocked or handled) before
 * the fork, so none is lost: one that arrives before the program runs is
 * forwarded as soon as pause waits, and stays pending in the child (which
 * blocks everything) until it restores the mask pause started with just
 * before execve(); it then acts with its default disposition. The child
 * makes its own process group (and the terminal's foreground group, if
 * stdin is one), resets what pause changed, and searches PATH as execvp()
 * does. A signal still pending when the program is gone is not forwarded:
 * pause exits at once with the program's status (docs/cli.md).
 *
 * Exit status, init mode: the program's exit code, or 128+N when signal N
 * killed it, then 0 if -e named it; 127 (not found) or 126 (found, cannot
 * run) when the exec fails, with one line on stderr.
 *
 * Error policy: fail hard during setup, each failure with its own exit code
 * (EXIT_* below, listed in docs/cli.md); nothing in the main loop can fail.
 * A message pause cannot write at once (stderr a full or closed pipe,
 * /dev/full) is dropped: pause never blocks on stderr and never dies of its
 * own SIGPIPE.
 *
 * SYS_NOLIBC builds without any C library: sys/sys.h makes the few raw
 * system calls, with one file of machine facts per architecture
 * (sys/arch/<arch>.h), which keeps the static binary a few KiB and its
 * resident set to a few pages. This file has no machine-specific code.
 *
 * Mutants (test builds only; the suite must catch each one):
 *   MUTANT_REAP_ONCE       one waitpid() per SIGCHLD: leaks under coalescing
 *   MUTANT_NO_CHLD         SIGCHLD is never taken (autoreap: never set to
 *                          SIG_IGN): zombies pile up
 *   MUTANT_NO_TERM         reference mode: SIGTERM is never taken
 *   MUTANT_WRONG_CODE      reference mode: exits 1 instead of 0 on INT/TERM
 *   MUTANT_REAP_ECHILD     reaps until ECHILD instead of until 0: spins
 *   MUTANT_FORWARD_NOTHING init mode: EVENT_FORWARD does nothing
 *   MUTANT_EXIT_ZERO       init mode: exits 0 whatever the program's status
 *   MUTANT_SIGNAL_AS_CODE  init mode: reports N, not 128+N, for signal N
 *   MUTANT_FORWARD_CHLD    init mode: also forwards SIGCHLD (after reaping)
 *   MUTANT_EXIT_EARLY      init mode: exits as soon as the program's status
 *                          is seen, before reaping the other zombies
 */

#if !defined(DESIGN_SIGWAIT) && !defined(DESIGN_HANDLERS) && !defined(DESIGN_AUTOREAP)
#define DESIGN_SIGWAIT 1
#endif
#if defined(DESIGN_SIGWAIT) + defined(DESIGN_HANDLERS) + defined(DESIGN_AUTOREAP) != 1
#error "choose one of DESIGN_SIGWAIT, DESIGN_HANDLERS and DESIGN_AUTOREAP"
#endif

#ifndef VERSION
#define VERSION HEAD
#endif
#define STRINGIFY(x) #x
#define VERSION_STRING(x) STRINGIFY(x)

/* Exit codes of pause itself; setup failures have one each. */
enum {
	EXIT_OK = 0,
	EXIT_SIGINT_SETUP = 1,  /* could not take over SIGINT */
	EXIT_SIGTERM_SETUP = 2, /* could not take over SIGTERM */
	EXIT_USAGE = 2,         /* init mode: bad command line, nothing started */
	EXIT_SIGCHLD_SETUP = 3, /* could not take over SIGCHLD */
	EXIT_BLOCK_SETUP = 4,   /* could not block the signals */
	EXIT_FORK_SETUP = 5,    /* init mode: could not fork the program */
	EXIT_FORWARD_SETUP = 6, /* init mode, handlers: could not take a signal */
	EXIT_LOOP_ENDED = 42,   /* unreachable: the main loop never ends */
	EXIT_CANNOT_RUN = 126,  /* init mode: the program cannot be executed */
	EXIT_NOT_FOUND = 127,   /* init mode: the program was not found */
};

#ifdef MUTANT_WRONG_CODE
#define EXIT_SHUTDOWN 1
#else
#define EXIT_SHUTDOWN EXIT_OK
#endif

/* The system calls, raw (SYS_NOLIBC) or through the C library. */
#include "sys/sys.h"

/* execvp()'s longest name to look up on PATH (NAME_MAX), and its error. */
#define NAME_MAX_BYTES 255
#ifndef ENAMETOOLONG
#define ENAMETOOLONG 36 /* the same on every architecture sys/arch/ covers */
#endif
/* The longest path execve() takes, with its NUL (PATH_MAX). */
#define PATH_MAX_BYTES 4096

/* The signals init mode forwards below 32 (bit N: signal N). */
#define FORWARDED_STANDARD                                                     \
	(1U << SIGHUP | 1U << SIGINT | 1U << SIGQUIT | 1U << SIGUSR1 |         \
	 1U << SIGUSR2 | 1U << SIGPIPE | 1U << SIGALRM | 1U << SIGTERM |       \
	 1U << SIGCONT | 1U << SIGTSTP | 1U << SIGURG | 1U << SIGXCPU |        \
	 1U << SIGXFSZ | 1U << SIGVTALRM | 1U << SIGPROF | 1U << SIGWINCH |    \
	 1U << SIGIO | 1U << SIGPWR | 1U << SIGSYS)

/* Where $PATH is unset, execvp()'s own default. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#define USAGE "usage: pause [-v] | pause [-s] [-g] [-e CODE]... -- PROGRAM [ARGS...]\n"

/* ------------------------------------------------------------------------ */
/* What pause knows once it runs                                             */
/* ------------------------------------------------------------------------ */

/*
 * Volatile: the handlers design reads them in signal handlers, which the
 * compiler cannot see being called (without it, a compiler may drop the
 * stores after fork() as dead: it did, for ppc64le).
 */
static volatile int init_mode;      /* a PROGRAM was given */
static volatile int program;        /* its pid, once forked (its group too) */
static volatile int target;         /* where signals go: program, or -program (-g) */
static volatile int program_status; /* its wait status, once reaped */
static volatile unsigned char expected[256 / 8]; /* -e: codes that become 0 */
/*
 * Who reaps: 0, pause, with waitpid() on SIGCHLD; 1, the kernel, in the
 * autoreap design's reference mode (SIGCHLD at SIG_IGN; MUTANT_NO_CHLD:
 * nobody, as SIGCHLD is then neither ignored nor taken).
 */
static volatile int kernel_reaps;

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* A message being put together, so that it goes out in one write(). */
static struct {
	char text[480];
	unsigned n;
} line;

/* Append at most max bytes of s (room left for the newline); where s stopped. */
static const char *add_some(const char *s, unsigned max)
{
	for (; *s && max && line.n < sizeof(line.text) - 2; max--)
		line.text[line.n++] = *s++;
	return s;
}

/* Append s. */
static void add(const char *s)
{
	add_some(s, ~0U);
}

/* Append s in quotes: its first 200 bytes, and "..." if it is longer. */
static void add_quoted(const char *s)
{
	add("'");
	add(*add_some(s, 200) ? "...'" : "'");
}

/* Append n in decimal (no division: 32-bit ARM has no divide instruction). */
static void add_number(unsigned n)
{
	char digit[2] = { 0, 0 };
	unsigned tens = 0;

	for (; n >= 10; n -= 10)
		tens++;
	if (tens)
		add_number(tens);
	digit[0] = (char)('0' + n);
	add(digit);
}

/*
 * Write s to fd, in one write(), if it can go out at once. Never blocks
 * (a full pipe: dropped) and never dies of its own SIGPIPE (a closed pipe:
 * SIGPIPE is blocked around the write, and the one it raised taken back;
 * pause's own SIGPIPE is never blocked when say() is called, so no other
 * is taken with it). Async-signal-safe: system calls only.
 */
static void say(int fd, const char *s)
{
	sigset_bits pipe = { 0 }, old = { 0 };
	unsigned long n = 0;

	if (!sys_writable(fd))
		return;
	while (s[n])
		n++;
	set_add(&pipe, SIGPIPE);
	sys_sigmask(SIG_BLOCK, &pipe, &old);
	sys_write(fd, s, n);
	sys_sigtake(&pipe);
	sys_sigmask(SIG_SETMASK, &old, 0);
}

/* End the line and say it on stderr. */
static void say_line(void)
{
	line.text[line.n++] = '\n';
	say(2, line.text);
}

/* strcasecmp(arg, "-v") == 0, without the locale machinery. */
static int is_version_flag(const char *arg)
{
	return arg[0] == '-' && (arg[1] == 'v' || arg[1] == 'V') && !arg[2];
}

static __attribute__((noreturn)) void print_version(void)
{
	say(1, "pause.c " VERSION_STRING(VERSION) "\n");
	sys_exit(EXIT_OK);
}

/* Bad usage: what was wrong (what, then quoted, if any), the usage, exit 2. */
static __attribute__((noreturn)) void usage(const char *what, const char *quoted)
{
	add("pause: ");
	add(what);
	if (quoted) {
		add(" '");
		add(quoted);
		add("'");
	}
	say_line();
	say(2, USAGE);
	sys_exit(EXIT_USAGE);
}

/* The signals init mode forwards: the catchable ones, but CHLD and faults. */
static int forwardable(int sig)
{
	if (sig < 32)
		return (FORWARDED_STANDARD >> sig) & 1;
	return sig >= SYS_SIGRTMIN && sig <= SYS_SIGRTMAX;
}

/* The signals pause takes over, by mode; MUTANT_NO_* leave one out. */
static int taken(int sig)
{
	if (sig == SIGCHLD) {
#ifdef MUTANT_NO_CHLD
		return 0;
#endif
		return !kernel_reaps;
	}
	if (init_mode)
		return forwardable(sig);
#ifdef MUTANT_NO_TERM
	if (sig == SIGTERM)
		return 0;
#endif
	return sig == SIGINT || sig == SIGTERM;
}

/* ------------------------------------------------------------------------ */
/* The three events, shared by every design                                  */
/* ------------------------------------------------------------------------ */

/*
 * EVENT_SHUTDOWN: SIGINT or SIGTERM. Say which, as psignal(sig, "Shutting
 * down, got signal") does (SHUTTING_DOWN), and exit.
 */
static __attribute__((noreturn)) void on_shutdown(int sig)
{
	say(2, sig == SIGINT ? "Shutting down, got signal: Interrupt\n"
			     : "Shutting down, got signal: Terminated\n");
	sys_exit(EXIT_SHUTDOWN);
}

/*
 * EVENT_FORWARD (FORWARDING): pass the signal on. An error (ESRCH: the
 * program is a zombie already, its SIGCHLD on the way) is of no interest.
 */
static void on_forward(int sig)
{
#ifdef MUTANT_FORWARD_NOTHING
	(void)sig;
#else
	sys_kill(target, sig);
#endif
}

/* The program is gone: exit with its code, 128+N for signal N, -e applied. */
static __attribute__((noreturn)) void exit_as_program(void)
{
	int code = (program_status >> 8) & 0xff, sig = program_status & 0x7f;

#ifdef MUTANT_SIGNAL_AS_CODE
	if (sig)
		code = sig;
#else
	if (sig)
		code = 128 + sig;
#endif
	if ((expected[code / 8] >> (code % 8)) & 1)
		code = 0;
#ifdef MUTANT_EXIT_ZERO
	code = 0;
#endif
	sys_exit(code);
}

#if defined(MUTANT_REAP_ONCE)
#define REAP_AGAIN(pid) 0
#elif defined(MUTANT_REAP_ECHILD)
#define REAP_AGAIN(pid) ((pid) >= 0)
#else
#define REAP_AGAIN(pid) ((pid) > 0)
#endif

/*
 * EVENT_CHILD: SIGCHLD (REAPING). Standard signals coalesce, so one SIGCHLD
 * may stand for many dead children: reap until waitpid() says no zombie is
 * left (0: children alive, none dead; -1: no children at all). In init
 * mode, once that drain has seen the program, exit with its status.
 */
static void on_child(int sig)
{
	int pid, status, gone = 0;

	(void)sig;
	do {
		pid = sys_wait_any(&status);
		if (pid > 0 && pid == program) {
			program_status = status;
			gone = 1;
#ifdef MUTANT_EXIT_EARLY
			exit_as_program();
#endif
		}
	} while (REAP_AGAIN(pid));
#ifdef MUTANT_FORWARD_CHLD
	if (init_mode)
		on_forward(SIGCHLD);
#endif
	if (gone)
		exit_as_program();
}

/*
 * Zombies from before the exec: a process that forked, then exec'd pause
 * (a shell's `cmd & exec pause`), leaves children whose SIGCHLD went to a
 * program that ignored it, and the autoreap design's SIG_IGN releases only
 * the children that exit from now on. Reap them once at the start, as
 * EVENT_CHILD would; before init mode's fork, so none is the program.
 */
static void reap_leftovers(void)
{
	int status;

	while (sys_wait_any(&status) > 0)
		;
}

/*
 * The transitions, every design and both modes, from WAITING:
 *
 *   event           mode       on the way                      then
 *   EVENT_SHUTDOWN  reference  SHUTTING_DOWN: print the line   EXITED 0
 *   EVENT_FORWARD   init       FORWARDING: kill(target, sig)   WAITING
 *   EVENT_CHILD     both       REAPING: waitpid until <= 0     WAITING, or EXITED
 *                                                              with the program's
 *                                                              status (init)
 *
 * Only signals pause took ever arrive here; anything else (the sigwait
 * design's -EINTR after a stop and continue) is no event: wait again.
 */
static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		on_child(sig); /* EVENT_CHILD */
	else if (sig > 0 && init_mode)
		on_forward(sig); /* EVENT_FORWARD */
	else if (sig > 0)
		on_shutdown(sig); /* EVENT_SHUTDOWN */
}

/* ------------------------------------------------------------------------ */
/* Init mode: the command line and the program                               */
/* ------------------------------------------------------------------------ */

/*
 * Init mode's options, up to `--` or the first non-option, which is
 * PROGRAM; returns its index. -v prints the version; bad usage exits 2.
 */
static int parse_options(int argc, char **argv, int *subreaper, int *group)
{
	int i, code;
	const char *p;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (same(a, "--")) {
			if (++i == argc)
				usage("no program after '--'", 0);
			return i;
		}
		if (a[0] != '-' || !a[1])
			return i;
		if (a[2])
			usage("unknown option", a);
		switch (a[1]) {
		case 'v':
		case 'V':
			print_version();
		case 's':
			*subreaper = 1;
			break;
		case 'g':
			*group = 1;
			break;
		case 'e':
			p = argv[++i];
			if (!p)
				usage("-e needs a code 0..255, got nothing", 0);
			for (code = 0; *p >= '0' && *p <= '9' && code <= 255; p++)
				code = code * 10 + (*p - '0');
			if (*p || code > 255 || p == argv[i])
				usage("-e needs a code 0..255, got", argv[i]);
			expected[code / 8] |= (unsigned char)(1 << (code % 8));
			break;
		default:
			usage("unknown option", a);
		}
	}
	usage("no program given", 0);
}

/* The value of NAME=value in the environment, or 0. */
static const char *getenv_of(char **envp, const char *name)
{
	const char *e, *n;

	for (; *envp; envp++) {
		for (e = *envp, n = name; *n && *e == *n; e++, n++)
			;
		if (!*n && *e == '=')
			return e + 1;
	}
	return 0;
}

/*
 * execve() the program as execvp() does: a name with a '/' as it is; else
 * ENAMETOOLONG past NAME_MAX, or each PATH directory in turn (the default
 * where unset; an empty entry is the current directory), skipping one too
 * long for a path with the name: never a path cut short, which could name
 * another file. ENOENT and ENOTDIR try the next, EACCES too but is kept,
 * anything else stops. Returns the errno that ended it (ENOENT: none tried).
 */
static int exec_program(char **argv, char **envp)
{
	const char *name = argv[0], *path;
	char file[PATH_MAX_BYTES];
	unsigned long n, i, k, room;
	int err = ENOENT, denied = 0;

	for (k = 0; name[k] && name[k] != '/'; k++)
		;
	if (name[k])
		return -sys_execve(name, argv, envp);
	if (!k)
		return ENOENT;
	if (k > NAME_MAX_BYTES)
		return ENAMETOOLONG;
	path = getenv_of(envp, "PATH");
	if (!path)
		path = DEFAULT_PATH;
	room = sizeof(file) - k - 1; /* for the entry and its '/' */
	for (;;) {
		for (n = 0; *path && *path != ':'; path++, n++)
			if (n < room)
				file[n] = *path;
		if (n < room) {
			if (n)
				file[n++] = '/';
			for (i = 0; i <= k; i++)
				file[n + i] = name[i];
			err = -sys_execve(file, argv, envp);
			if (err == EACCES)
				denied = 1;
			else if (err != ENOENT && err != ENOTDIR)
				return err;
		}
		if (!*path++)
			return denied ? EACCES : err;
	}
}

/*
 * The child puts back the dispositions pause changed: execve() would reset
 * the handled ones, but a signal that arrives between the unblock and the
 * exec must act as the default does, not run pause's handler in the child.
 */
static void default_dispositions(void)
{
#ifdef DESIGN_HANDLERS
	int sig;

	for (sig = 1; sig <= SYS_SIGRTMAX; sig++)
		if (taken(sig))
			sys_sigaction(sig, SIG_DFL, 0);
#else
	sys_sigaction(SIGCHLD, SIG_DFL, 0); /* only SA_NOCLDSTOP was changed */
#endif
}

/*
 * The child, before it becomes the program: everything blocked (no
 * SIGTTOU from tcsetpgrp, nothing acts yet), its own process group, the
 * terminal's foreground group if stdin is one; pause's dispositions back
 * to the default and pause's original mask back (kernel rule 13: an init
 * must undo them, or the program starts deaf), then exec. If that fails:
 * one line, 127 (not found) or 126 (anything else), as a shell does.
 */
static __attribute__((noreturn)) void become_program(char **argv, char **envp,
						     const sigset_bits *original)
{
	sigset_bits all;
	const char *why;
	int err, pid;

	set_fill(&all);
	sys_sigmask(SIG_SETMASK, &all, 0);
	sys_setpgid(0, 0);
	pid = sys_getpid();
	sys_ioctl(0, TIOCSPGRP, &pid); /* ENOTTY unless stdin is our terminal */
	default_dispositions();
	sys_sigmask(SIG_SETMASK, original, 0);

	err = exec_program(argv, envp);
	add("pause: cannot run ");
	add_quoted(argv[0]);
	add(": ");
	why = err == ENOENT || err == ENOTDIR ? "No such file or directory"
	    : err == EACCES || err == EPERM ? "Permission denied"
	    : err == ENOEXEC ? "Exec format error"
	    : err == ENAMETOOLONG ? "File name too long" : 0;
	if (why) {
		add(why);
	} else {
		add("error ");
		add_number((unsigned)err);
	}
	say_line();
	sys_exit(err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* Fork the program; pause's signals are already taken (blocked). */
static void start_program(char **argv, char **envp, int group,
			  const sigset_bits *original)
{
	int pid = sys_fork();

	if (pid == 0)
		become_program(argv, envp, original);
	if (pid < 0) {
		add("pause: cannot fork: error ");
		add_number((unsigned)-pid);
		say_line();
		sys_exit(EXIT_FORK_SETUP);
	}
	/* Also here, so that -g never signals a group that is not made yet. */
	sys_setpgid(pid, pid);
	program = pid;
	target = group ? -pid : pid;
}

/* ------------------------------------------------------------------------ */
/* Setup: take the signals, by design                                        */
/* ------------------------------------------------------------------------ */

#ifdef DESIGN_HANDLERS
/* The setup failure's exit code for a signal that could not be taken. */
static int setup_code(int sig)
{
	if (sig == SIGCHLD)
		return EXIT_SIGCHLD_SETUP;
	if (init_mode)
		return EXIT_FORWARD_SETUP;
	return sig == SIGINT ? EXIT_SIGINT_SETUP : EXIT_SIGTERM_SETUP;
}
#endif

/*
 * Take the signals in `set`: handlers design, a handler for each (in
 * ascending order, as the reference installs INT, TERM, CHLD), and in init
 * mode blocked until the program's pid is known; sigwait design, SIGCHLD
 * at its default action but with SA_NOCLDSTOP (stopped and continued
 * children send nothing, as in the reference), and all of them blocked --
 * blocked signals are never dropped, not even for a namespace init; the
 * autoreap design as sigwait, but where the kernel reaps, SIGCHLD at
 * SIG_IGN and not in the set.
 * `original` gets the mask pause started with. 0, or a setup failure's code.
 */
static int take_signals(const sigset_bits *set, sigset_bits *original)
{
#ifdef DESIGN_HANDLERS
	int sig;

	for (sig = 1; sig <= SYS_SIGRTMAX; sig++)
		if (taken(sig) && sys_sigaction(sig, on_signal, sig == SIGCHLD ? SA_NOCLDSTOP : 0) < 0)
			return setup_code(sig);
	if (!init_mode)
		return EXIT_OK;
#else
	if (sys_sigaction(SIGCHLD, kernel_reaps ? SIG_IGN : SIG_DFL, kernel_reaps ? 0 : SA_NOCLDSTOP) < 0)
		return EXIT_SIGCHLD_SETUP;
#endif
	return sys_sigmask(SIG_BLOCK, set, original) < 0 ? EXIT_BLOCK_SETUP : EXIT_OK;
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	char **envp = argv + argc + 1;
	const char *env;
	sigset_bits set = { 0 }, original = { 0 };
	int i, first = 0, subreaper = 0, group = 0, code;

	for (i = 1; i < argc; i++)
		init_mode |= same(argv[i], "--");
	if (argc > 1)
		init_mode |= same(argv[1], "-s") || same(argv[1], "-g") ||
			     same(argv[1], "-e");
	if (init_mode) {
		first = parse_options(argc, argv, &subreaper, &group);
		env = getenv_of(envp, "PAUSE_SUBREAPER");
		subreaper |= env && *env;
	} else {
		for (i = 1; i < argc; i++)
			if (is_version_flag(argv[i]))
				print_version();
	}
#if defined(DESIGN_AUTOREAP) && !defined(MUTANT_NO_CHLD)
	kernel_reaps = !init_mode;
#endif

	/* Not an error: pause also sees use outside of infra containers. */
	if (sys_getpid() != 1 &&
	    !(subreaper && sys_prctl(PR_SET_CHILD_SUBREAPER, 1) == 0)) {
		say(2, "Warning: pause should be the first process\n");
		if (init_mode)
			say(2, "pause: not PID 1: orphans will not be reaped; use -s or set PAUSE_SUBREAPER\n");
	}

	for (i = 1; i <= SYS_SIGRTMAX; i++)
		if (taken(i))
			set_add(&set, i);
	code = take_signals(&set, &original);
	if (code)
		return code;
	reap_leftovers();
	if (init_mode)
		start_program(argv + first, envp, group, &original);

#ifdef DESIGN_HANDLERS
	if (init_mode)
		sys_sigmask(SIG_UNBLOCK, &set, 0);
	/* WAITING: each signal runs its handler, then pause() returns. */
	for (;;)
		sys_pause();
#else
	/* WAITING: the lowest-numbered pending signal comes first. */
	for (;;)
		on_signal(sys_sigwait(&set));
#endif
	return EXIT_LOOP_ENDED;
}
