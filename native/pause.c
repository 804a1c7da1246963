/*
 * pause: hold a pod's namespaces as PID 1, reap every orphan, and go down
 * cleanly on SIGINT or SIGTERM -- the Kubernetes pause container. Or, given
 * a program, be a container's init: run the program as its only child,
 * forward it every signal, reap every orphan, and exit with its status.
 *
 *   pause [-v] [-h]                                      reference mode
 *   pause [-s] [-g] [-e CODE]... -- PROGRAM [ARGS...]    init mode
 *
 * Init mode needs `--`, or -s, -g or -e first; else reference mode ignores all
 * but -v and -h (the reference has no -h; a pod gives no arguments). -v/-V
 * says the version, -h/--help the usage, on stdout; exit 0. Init mode: -s a
 * subreaper when not PID 1 (or PAUSE_SUBREAPER set, even empty, as tini's);
 * -g forward to the program's process group; -e CODE: status CODE becomes 0.
 *
 * Signals ignored or blocked at the start keep none from pause (a handler
 * replaces SIG_IGN and is unblocked; a blocked one is queued even ignored).
 * Init mode forwards all it can take but CHLD and the CPU's faults ILL TRAP
 * BUS FPE SEGV, left at their default: a real one must kill pause, which
 * could not tell it from a kill(). ABRT, STKFLT, TTIN and TTOU go, as TSTP.
 * The program starts with pause's first mask and ignored signals (K13);
 * pause then leaves its directory for /. Either mode warns unless PID 1 or
 * a child subreaper (the flag survives exec). Why, each: docs/init.md.
 *
 * Three signal designs: DESIGN_SIGWAIT (default), the signals blocked and
 * taken one at a time from rt_sigtimedwait(), no code in signal context;
 * DESIGN_HANDLERS, the reference's handlers and pause() loop, async-signal-
 * safe (system calls only); DESIGN_AUTOREAP, SIGCHLD at SIG_IGN: the kernel
 * releases each child at its exit, a zombie reparented to pause at once
 * (K15); init mode needs the program's status and reaps as sigwait.
 *
 * Every design and mode has the model's states and events (asm/pause.ts; test/twins.test.ts):
 * start_reference() or start_init() up to WAITING; each signal an event (event_of) that
 * on_signal() runs in its state; the exits.
 *
 * Exit codes, by mode (docs/cli.md). The caller knows the mode (it wrote
 * the command line); within a mode each code names one cause:
 *
 *   reference mode, the Kubernetes    init mode: 2 for bad input, and setup
 *   pause's codes (no usage error:    failures no other failure shares
 *   it ignores its arguments)           0  -v or -h
 *     0  shut down; or -v, -h           2  bad command line, nothing started
 *     1  could not take SIGINT          3  could not take SIGCHLD
 *     2  could not take SIGTERM         4  could not block the signals
 *     3  could not take SIGCHLD         5  could not fork the program
 *     4  could not block the signals    6  could not take a forwarded signal
 *                                     126  the program cannot be executed
 *                                     127  the program was not found
 *                                    else  the program's code, 128+N for
 *                                          signal N; 0 if -e named it
 *
 * Each mode's codes are an enum; pause exits through exit_reference() or
 * exit_init(), each taking only its own (-Wenum-conversion), or with the
 * program's status; codes_are_distinct() fails to compile if two codes of a
 * mode are alike. The main loop cannot fail. SYS_NOLIBC: no C library;
 * sys/sys.h and sys/arch/<arch>.h make the calls.
 *
 * Mutants (test builds, each caught; docs/model.md): MUTANT_ and REAP_ONCE, NO_CHLD,
 * NO_TERM, WRONG_CODE, REAP_ECHILD; init FORWARD_NOTHING, EXIT_ZERO, SIGNAL_AS_CODE,
 * FORWARD_CHLD, EXIT_EARLY.
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

/* Each mode's exit codes (the table above). */
enum reference_exit {
	REFERENCE_OK = 0, REFERENCE_SIGINT_SETUP = 1, REFERENCE_SIGTERM_SETUP = 2,
	REFERENCE_SIGCHLD_SETUP = 3, REFERENCE_BLOCK_SETUP = 4,
};
enum init_exit {
	INIT_OK = 0, INIT_USAGE = 2, INIT_SIGCHLD_SETUP = 3, INIT_BLOCK_SETUP = 4,
	INIT_FORK_SETUP = 5, INIT_FORWARD_SETUP = 6, INIT_CANNOT_RUN = 126, INIT_NOT_FOUND = 127,
};

/* Never called: two codes of one mode alike would be a duplicate case. */
static inline void codes_are_distinct(enum reference_exit r, enum init_exit i)
{
	switch (r) {
	case REFERENCE_OK: case REFERENCE_SIGINT_SETUP: case REFERENCE_SIGTERM_SETUP:
	case REFERENCE_SIGCHLD_SETUP: case REFERENCE_BLOCK_SETUP: break;
	}
	switch (i) {
	case INIT_OK: case INIT_USAGE: case INIT_SIGCHLD_SETUP: case INIT_BLOCK_SETUP:
	case INIT_FORK_SETUP: case INIT_FORWARD_SETUP: case INIT_CANNOT_RUN: case INIT_NOT_FOUND: break;
	}
}

#ifdef MUTANT_WRONG_CODE
#define REFERENCE_SHUTDOWN REFERENCE_SIGINT_SETUP /* the bug: 1, not 0 */
#else
#define REFERENCE_SHUTDOWN REFERENCE_OK
#endif

/* pause's states, numbered as the model numbers them (asm/pause.ts). */
enum state {
	WAITING = 0,       /* blocked in pause() or the signal wait */
	REAPING = 1,       /* calling waitpid(-1, WNOHANG) until it returns <= 0 */
	EXITED = 2,        /* gone, with its exit code: never seen from inside */
	SHUTTING_DOWN = 3, /* reference mode: between the signal and _exit() */
	FORWARDING = 4,    /* init mode: between the signal and its kill() */
};

/* What a signal pause took means. */
enum event {
	EVENT_SHUTDOWN = 1, /* reference mode: SIGINT or SIGTERM: say, exit 0 */
	EVENT_CHILD = 2,    /* SIGCHLD: reap every zombie; init mode: maybe exit */
	EVENT_FORWARD = 3,  /* init mode: a forwardable signal: kill() the program */
};

#include "sys/sys.h" /* the system calls, raw (SYS_NOLIBC) or the C library's */

/* execvp()'s longest name to look up on PATH (NAME_MAX), and its error. */
#define NAME_MAX_BYTES 255
#ifndef ENAMETOOLONG
#define ENAMETOOLONG 36 /* the same on every architecture sys/arch/ covers */
#endif
/* The longest path execve() takes, with its NUL (PATH_MAX). */
#define PATH_MAX_BYTES 4096

/* The signals init mode forwards below 32 (bit N: signal N; the choices: above). */
#define FORWARDED_STANDARD                                                                    \
	(1U << SIGHUP | 1U << SIGINT | 1U << SIGQUIT | 1U << SIGABRT | 1U << SIGUSR1 |         \
	 1U << SIGUSR2 | 1U << SIGPIPE | 1U << SIGALRM | 1U << SIGTERM | 1U << SIGSTKFLT |     \
	 1U << SIGCONT | 1U << SIGTSTP | 1U << SIGTTIN | 1U << SIGTTOU | 1U << SIGURG |        \
	 1U << SIGXCPU | 1U << SIGXFSZ | 1U << SIGVTALRM | 1U << SIGPROF | 1U << SIGWINCH |    \
	 1U << SIGIO | 1U << SIGPWR | 1U << SIGSYS)

/* Where $PATH is unset, execvp()'s own default; and the usage line. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define USAGE "usage: pause [-v] [-h] | pause [-s] [-g] [-e CODE]... -- PROGRAM [ARGS...]\n"

/* take_signals() could not block the signals (else: the signal it could not take). */
#define BLOCK_FAILED (-1)

/* ---- What pause knows once it runs -------------------------------------- */

/*
 * Main's own record: a writable static costs a segment, and ~1.3 us of each
 * exit (measured). Handlers: static, volatile (unseen, ppc64le dropped stores).
 */
struct pause {
	int init_mode;      /* a PROGRAM was given */
	int pid1;           /* pause is its PID namespace's init */
	int program;        /* its pid, once forked (its group too) */
	int target;         /* where signals go: program, or -program (-g) */
	int program_status; /* its wait status, once reaped */
	enum state state;   /* where pause is (WAITING until an event) */
	unsigned char expected[256 / 8]; /* -e: codes that become 0 */
#ifdef DESIGN_HANDLERS
	void (*was[SYS_SIGRTMAX + 1])(int); /* each one's action when pause started */
#else
	void (*was_chld)(int); /* SIGCHLD's (the only one changed) */
#endif
};
#if defined(DESIGN_AUTOREAP) && !defined(MUTANT_NO_CHLD)
#define KERNEL_REAPS(p) (!(p)->init_mode) /* autoreap's reference mode: the kernel reaps */
#else
#define KERNEL_REAPS(p) 0
#endif
#ifdef DESIGN_HANDLERS
typedef volatile struct pause pause_t;
static pause_t the_pause; /* where the handlers find it */
#else
typedef struct pause pause_t;
#endif

/* ---- Small helpers ------------------------------------------------------- */

/* strcmp(a, b) == 0, without a C library. */
static int same(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return *a == *b;
}

/* Every exit of pause itself: one copy of the system call, not one per caller. */
static __attribute__((noreturn, noinline)) void leave(int code)
{
	sys_exit(code);
}

/* Reference mode's exits: only its own codes compile here. */
static __attribute__((noreturn)) void exit_reference(enum reference_exit code)
{
	leave(code);
}

/* Init mode's own exits: only its own codes compile here. */
static __attribute__((noreturn)) void exit_init(enum init_exit code)
{
	leave(code);
}

/* A message being put together, so that it goes out in one write(). */
struct line { char text[480]; unsigned n; };

/* Append at most max bytes of s (room left for newline and NUL); where s stopped. */
static const char *add_some(struct line *l, const char *s, unsigned max)
{
	for (; *s && max && l->n < sizeof(l->text) - 2; max--)
		l->text[l->n++] = *s++;
	return s;
}

/* Append s. */
static void add(struct line *l, const char *s)
{
	add_some(l, s, ~0U);
}

/* Append s in quotes: its first 200 bytes, and "..." if it is longer. */
static void add_quoted(struct line *l, const char *s)
{
	add(l, "'");
	add(l, *add_some(l, s, 200) ? "...'" : "'");
}

/* Append n in decimal (no division: 32-bit ARM has no divide instruction). */
static void add_number(struct line *l, unsigned n)
{
	char digit[2] = { 0, 0 };
	unsigned tens = 0;

	for (; n >= 10; n -= 10)
		tens++;
	if (tens)
		add_number(l, tens);
	digit[0] = (char)('0' + n);
	add(l, digit);
}

/* End the line being put together (newline, NUL); its text, for say(). */
static const char *end_line(struct line *l)
{
	l->text[l->n] = '\n';
	l->text[l->n + 1] = 0;
	return l->text;
}

/*
 * Write s to fd in one call, if it goes out at once (RWF_NOWAIT; where that
 * fails, poll decides): never blocks (a full pipe: dropped), never dies of its
 * SIGPIPE (a closed one). As PID 1 in reference mode the kernel drops that (an
 * init's signal at its default, K7); elsewhere it is blocked around the
 * write and taken back (never blocked before): init mode must not forward it.
 */
static void say(pause_t *p, int fd, const char *s)
{
	sigset_bits pipe = { 0 }, old;
	unsigned long n = 0;
	int guard = p->init_mode || !p->pid1;

	while (s[n])
		n++;
	set_add(&pipe, SIGPIPE);
	if (guard)
		sys_sigmask(SIG_BLOCK, &pipe, &old);
	if (sys_write_nowait(fd, s, n) < 0 && sys_writable(fd))
		sys_write(fd, s, n);
	if (!guard)
		return;
	sys_sigtake(&pipe);
	sys_sigmask(SIG_SETMASK, &old, 0);
}

/* Either mode: -v (any case, as strcasecmp) says the version, -h/--help the usage; else 0. */
static int answered(pause_t *p, const char *a)
{
	if (a[0] == '-' && (a[1] == 'v' || a[1] == 'V') && !a[2])
		say(p, 1, "pause.c " VERSION_STRING(VERSION) "\n");
	else if (a[0] == '-' && ((a[1] == 'h' && !a[2]) || same(a + 1, "-help")))
		say(p, 1, USAGE);
	else
		return 0;
	return 1;
}

/* Init mode's bad usage: what was wrong (and what, quoted), the usage, exit 2. */
static __attribute__((noreturn)) void usage(pause_t *p, const char *what, const char *quoted)
{
	struct line l;

	l.n = 0;
	add(&l, "pause: ");
	add(&l, what);
	if (quoted) {
		add(&l, " ");
		add_quoted(&l, quoted);
	}
	say(p, 2, end_line(&l));
	say(p, 2, USAGE);
	exit_init(INIT_USAGE);
}

/* The signals pause takes, by mode (MUTANT_NO_* leave one out); not inlined: smaller. */
static __attribute__((noinline)) int taken(pause_t *p, int sig)
{
	if (sig == SIGCHLD) {
#ifdef MUTANT_NO_CHLD
		return 0;
#endif
		return !KERNEL_REAPS(p);
	}
	if (p->init_mode) /* every catchable signal, but CHLD and the faults */
		return sig < 32 ? (FORWARDED_STANDARD >> sig) & 1
				: sig >= SYS_SIGRTMIN && sig <= SYS_SIGRTMAX;
#ifdef MUTANT_NO_TERM
	if (sig == SIGTERM)
		return 0;
#endif
	return sig == SIGINT || sig == SIGTERM;
}

/* ---- The three events, shared by every design ---------------------------- */

/* EVENT_SHUTDOWN (SHUTTING_DOWN): say which signal, as psignal() does; exit. */
static __attribute__((noreturn)) void on_shutdown(pause_t *p, int sig)
{
	say(p, 2, sig == SIGINT ? "Shutting down, got signal: Interrupt\n"
			     : "Shutting down, got signal: Terminated\n");
	exit_reference(REFERENCE_SHUTDOWN);
}

/* EVENT_FORWARD (FORWARDING): pass it on; ESRCH (a zombie already) is no matter. */
static void on_forward(pause_t *p, int sig)
{
#ifdef MUTANT_FORWARD_NOTHING
	(void)p, (void)sig;
#else
	sys_kill(p->target, sig);
#endif
}

/* The program is gone: exit with its code, 128+N for signal N, -e applied. */
static __attribute__((noreturn)) void exit_as_program(pause_t *p)
{
	int code = (p->program_status >> 8) & 0xff, sig = p->program_status & 0x7f;

#ifdef MUTANT_SIGNAL_AS_CODE
	if (sig)
		code = sig;
#else
	if (sig)
		code = 128 + sig;
#endif
	if ((p->expected[code / 8] >> (code % 8)) & 1)
		code = 0;
#ifdef MUTANT_EXIT_ZERO
	code = 0;
#endif
	leave(code);
}

#if defined(MUTANT_REAP_ONCE)
#define REAP_AGAIN(pid) 0
#elif defined(MUTANT_REAP_ECHILD)
#define REAP_AGAIN(pid) ((pid) >= 0)
#else
#define REAP_AGAIN(pid) ((pid) > 0)
#endif

/*
 * EVENT_CHILD (REAPING): one SIGCHLD may stand for many dead children (they
 * coalesce): reap until waitpid() says none is left (0: none dead; -1: no
 * children). In init mode, once that drain has seen the program, exit as it.
 */
static void on_child(pause_t *p, int sig)
{
	int pid, status, gone = 0;

	(void)sig;
	do {
		pid = sys_wait_any(&status);
		if (pid > 0 && pid == p->program) {
			p->program_status = status;
			gone = 1;
#ifdef MUTANT_EXIT_EARLY
			exit_as_program(p);
#endif
		}
	} while (REAP_AGAIN(pid));
#ifdef MUTANT_FORWARD_CHLD
	if (p->init_mode)
		on_forward(p, SIGCHLD);
#endif
	if (gone)
		exit_as_program(p);
}

/* The event a signal pause took is: only signals pause took come here. */
static enum event event_of(pause_t *p, int sig)
{
	if (sig == SIGCHLD)
		return EVENT_CHILD;
	return p->init_mode ? EVENT_FORWARD : EVENT_SHUTDOWN;
}

/*
 * A signal taken, from WAITING: its event in its state, then the state it was
 * in (handlers nest). EVENT_SHUTDOWN ends EXITED; in init mode EVENT_CHILD may.
 */
static void on_signal(pause_t *p, int sig)
{
	enum state was = p->state;

	switch (event_of(p, sig)) {
	case EVENT_SHUTDOWN:
		p->state = SHUTTING_DOWN;
		on_shutdown(p, sig);
	case EVENT_FORWARD:
		p->state = FORWARDING;
		on_forward(p, sig);
		break;
	case EVENT_CHILD:
		p->state = REAPING;
		on_child(p, sig);
		break;
	}
	p->state = was;
}

/* Zombies from before the exec (a shell's `cmd & exec pause`): reaped once, first. */
static void reap_leftovers(void)
{
	while (sys_wait_any(0) > 0)
		;
}

/* ---- Init mode: the command line and the program ------------------------- */

/* Init mode's options, up to `--` or PROGRAM (its index is returned); bad usage exits 2. */
static int parse_options(pause_t *p, int argc, char **argv, int *subreaper, int *group)
{
	int i, code;
	const char *c;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (same(a, "--")) {
			if (++i == argc)
				usage(p, "no program after '--'", 0);
			return i;
		}
		if (a[0] != '-' || !a[1])
			return i;
		if (answered(p, a))
			exit_init(INIT_OK);
		if (a[2])
			usage(p, "unknown option", a);
		switch (a[1]) {
		case 's': *subreaper = 1; break;
		case 'g': *group = 1; break;
		case 'e':
			c = argv[++i];
			if (!c)
				usage(p, "-e needs a code 0..255, got nothing", 0);
			for (code = 0; *c >= '0' && *c <= '9' && code <= 255; c++)
				code = code * 10 + (*c - '0');
			if (*c || code > 255 || c == argv[i])
				usage(p, "-e needs a code 0..255, got", argv[i]);
			p->expected[code / 8] |= (unsigned char)(1 << (code % 8));
			break;
		default:
			usage(p, "unknown option", a);
		}
	}
	usage(p, "no program given", 0);
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
 * execve() as execvp() does: a name with '/' as it is; else ENAMETOOLONG past
 * NAME_MAX, or each PATH directory (the default where unset; empty: the
 * current one), skipping one too long to join the name (never a path cut
 * short: it could name another file). ENOENT, ENOTDIR, EACCES (kept) try the
 * next, anything else stops. Returns the errno that ended it (ENOENT: none).
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

/* Those pause changed, as they were (exec left SIG_DFL or SIG_IGN): no handler of pause runs. */
static void default_dispositions(pause_t *p)
{
#ifdef DESIGN_HANDLERS
	int sig;

	for (sig = 1; sig <= SYS_SIGRTMAX; sig++)
		if (taken(p, sig))
			sys_sigaction(sig, p->was[sig], 0);
#else
	sys_sigaction(SIGCHLD, p->was_chld, 0);
#endif
}

/*
 * The child: all blocked (no SIGTTOU from tcsetpgrp), its own process group,
 * the terminal's if stdin is one; pause's dispositions and mask undone (rule
 * 13), then exec; if that fails, one line and 127 (not found) or 126.
 */
static __attribute__((noreturn)) void become_program(pause_t *p, char **argv, char **envp,
						     const sigset_bits *original)
{
	struct line l;
	sigset_bits all;
	const char *why;
	int err, pid;

	set_fill(&all);
	sys_sigmask(SIG_SETMASK, &all, 0);
	sys_setpgid(0, 0);
	pid = sys_getpid();
	sys_ioctl(0, TIOCSPGRP, &pid); /* ENOTTY unless stdin is our terminal */
	default_dispositions(p);
	sys_sigmask(SIG_SETMASK, original, 0);

	err = exec_program(argv, envp);
	l.n = 0;
	add(&l, "pause: cannot run ");
	add_quoted(&l, argv[0]);
	add(&l, ": ");
	why = err == ENOENT || err == ENOTDIR ? "No such file or directory"
	    : err == EACCES || err == EPERM ? "Permission denied"
	    : err == ENOEXEC ? "Exec format error"
	    : err == ENAMETOOLONG ? "File name too long" : 0;
	if (why) {
		add(&l, why);
	} else {
		add(&l, "error ");
		add_number(&l, (unsigned)err);
	}
	say(p, 2, end_line(&l));
	exit_init(err == ENOENT || err == ENOTDIR ? INIT_NOT_FOUND : INIT_CANNOT_RUN);
}

/* fork() failed: one line, exit 5 (not modelled: the model's fork cannot fail). */
static __attribute__((noreturn)) void fork_failed(pause_t *p, int err)
{
	struct line l;

	l.n = 0;
	add(&l, "pause: cannot fork: error ");
	add_number(&l, (unsigned)err);
	say(p, 2, end_line(&l));
	exit_init(INIT_FORK_SETUP);
}

/* Fork the program; pause's signals are already taken (blocked). */
static void start_program(pause_t *p, char **argv, char **envp, int group,
			  const sigset_bits *original)
{
	int pid = sys_fork();

	if (pid == 0)
		become_program(p, argv, envp, original);
	if (pid < 0)
		fork_failed(p, -pid);
	/* Also here, so that -g never signals a group that is not made yet. */
	sys_setpgid(pid, pid);
	p->program = pid;
	p->target = group ? -pid : pid;
}

#ifdef DESIGN_HANDLERS
/* The handlers design's handler: its signal's event, on the one record. */
static void handle(int sig)
{
	on_signal(&the_pause, sig);
}
#endif

/* ---- Setup: take the signals, by design ---------------------------------- */

/*
 * Take taken()'s signals, each added to `set`, what each was kept. Handlers:
 * one each, ascending as the reference's, blocked till pause waits. Sigwait:
 * SIGCHLD at its default with SA_NOCLDSTOP, or SIG_IGN where the kernel
 * reaps; all blocked (never dropped, even for an init). `original` (or 0):
 * the starting mask. Returns 0, the signal it could not take, or BLOCK_FAILED.
 */
static int take_signals(pause_t *p, sigset_bits *set, sigset_bits *original)
{
	int sig;

	for (sig = 1; sig <= SYS_SIGRTMAX; sig++) {
		if (!taken(p, sig))
			continue;
		set_add(set, sig);
#ifdef DESIGN_HANDLERS
		if (sys_sigaction_was(sig, handle, sig == SIGCHLD ? SA_NOCLDSTOP : 0,
				      (void (**)(int))&p->was[sig]) < 0)
			return sig;
#endif
	}
#ifndef DESIGN_HANDLERS
	if (sys_sigaction_was(SIGCHLD, KERNEL_REAPS(p) ? SIG_IGN : SIG_DFL,
			      KERNEL_REAPS(p) ? 0 : SA_NOCLDSTOP, &p->was_chld) < 0)
		return SIGCHLD;
#endif
	return sys_sigmask(SIG_BLOCK, set, original) < 0 ? BLOCK_FAILED : 0;
}

/* Not an error: pause also sees use outside of infra containers. A subreaper gets its orphans. */
static void warn_if_not_pid1(pause_t *p, int subreaper)
{
	if (subreaper)
		sys_prctl(PR_SET_CHILD_SUBREAPER, 1);
	sys_prctl(PR_GET_CHILD_SUBREAPER, (unsigned long)&subreaper); /* is it one now? */
	if (p->pid1 || subreaper)
		return;
	say(p, 2, "Warning: pause should be the first process\n");
	if (p->init_mode)
		say(p, 2, "pause: not PID 1: orphans will not be reaped; use -s or set PAUSE_SUBREAPER\n");
}

/* ---- Each mode's start, up to WAITING ------------------------------------ */

/* Reference mode could not take a signal: the reference's code for it. */
static __attribute__((noreturn)) void reference_setup_failed(int failed)
{
	if (failed == SIGINT)
		exit_reference(REFERENCE_SIGINT_SETUP);
	if (failed == SIGTERM)
		exit_reference(REFERENCE_SIGTERM_SETUP);
	if (failed == SIGCHLD)
		exit_reference(REFERENCE_SIGCHLD_SETUP);
	exit_reference(REFERENCE_BLOCK_SETUP);
}

/* Reference mode's arguments: the first -v or -h answers; the others are ignored. */
static void reference_arguments(pause_t *p, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (answered(p, argv[i]))
			exit_reference(REFERENCE_OK);
}

/* Reference mode: the warning, the signals, the zombies from before the exec. */
static void start_reference(pause_t *p, int argc, char **argv, sigset_bits *set)
{
	int failed;

	reference_arguments(p, argc, argv);
	warn_if_not_pid1(p, 0);
	failed = take_signals(p, set, 0);
	if (failed)
		reference_setup_failed(failed);
	reap_leftovers();
}

/* Init mode could not take a signal: a code no other failure of init mode has. */
static __attribute__((noreturn)) void init_setup_failed(int failed)
{
	if (failed == SIGCHLD)
		exit_init(INIT_SIGCHLD_SETUP);
	if (failed == BLOCK_FAILED)
		exit_init(INIT_BLOCK_SETUP);
	exit_init(INIT_FORWARD_SETUP);
}

/* Init mode: options (PAUSE_SUBREAPER set is -s), warning, signals, leftovers, program, /. */
static void start_init(pause_t *p, int argc, char **argv, char **envp, sigset_bits *set)
{
	sigset_bits original = { 0 };
	const char *env;
	int first, subreaper = 0, group = 0, failed;

	first = parse_options(p, argc, argv, &subreaper, &group);
	env = getenv_of(envp, "PAUSE_SUBREAPER");
	subreaper |= env != 0; /* even empty, as TINI_SUBREAPER */
	warn_if_not_pid1(p, subreaper);
	failed = take_signals(p, set, &original);
	if (failed)
		init_setup_failed(failed);
	reap_leftovers();
	start_program(p, argv + first, envp, group, &original);
	sys_chdir("/"); /* the program keeps the directory: pause holds it busy no more */
}

/* Init mode: `--` anywhere, or -s, -g or -e first. */
static int is_init_command(int argc, char **argv)
{
	const char *first = argc > 1 ? argv[1] : "";
	int i, init = first[0] == '-' && (first[1] == 's' || first[1] == 'g' ||
					  first[1] == 'e') && !first[2];

	for (i = 1; i < argc; i++)
		init |= same(argv[i], "--");
	return init;
}

/*
 * WAITING, for good. Sigwait: the lowest pending signal first (-EINTR after a
 * stop and continue is none). Handlers: pause(), the signals unblocked now.
 */
static __attribute__((noreturn)) void wait_for_signals(pause_t *p, const sigset_bits *set)
{
#ifdef DESIGN_HANDLERS
	(void)p;
	sys_sigmask(SIG_UNBLOCK, set, 0);
	for (;;)
		sys_pause();
#else
	for (;;) {
		int sig = sys_sigwait(set);

		if (sig > 0)
			on_signal(p, sig);
	}
#endif
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	char **envp = argv + argc + 1;
	sigset_bits set = { 0 };
#ifdef DESIGN_HANDLERS
	pause_t *p = &the_pause;
#else
	struct pause own, *p = &own;
	unsigned i;

	for (i = 0; i < sizeof(own); i++) /* all 0: WAITING, no -e code... */
		((char *)&own)[i] = 0;
#endif

	p->pid1 = sys_getpid() == 1;
	p->init_mode = is_init_command(argc, argv);
	if (p->init_mode)
		start_init(p, argc, argv, envp, &set);
	else
		start_reference(p, argc, argv, &set);
	wait_for_signals(p, &set);
}
