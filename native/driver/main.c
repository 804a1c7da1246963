/*
 * pausekit-driver: the kernel scenario runner's hands. The TypeScript runner
 * (src/engines/kernel/engine.ts, which parses the blocks in parse.ts) starts one driver per scenario and talks to it over
 * stdin/stdout, one command line in, one observation block out:
 *
 *   pausekit-driver --pause BINARY --mode pid1|plain [--settle-ms N]
 *                   [--stop-at-error] [--ignore SIGNUM,...] [--block SIGNUM,...]
 *   pausekit-driver --mode pid1|plain [--settle-ms N] [--stop-at-error]
 *                   [--ignore ...] [--block ...]
 *                   --init-program NAME ok|missing|not-executable|directory|name-too-long
 *                   -- INIT [ARGS...]
 *                                    init mode: INIT (pause -- PROGRAM, or a
 *                                    peer: tini, dumb-init, catatonit) runs
 *                                    the program NAME; ARGS end with it
 *                                    (this binary --named 3 REAPS, or the
 *                                    failing exec's PROGRAM name)
 *                                    --ignore, --block: pause (or the init)
 *                                    starts with these signals at SIG_IGN,
 *                                    and blocked; its program inherits them
 *   pausekit-driver --serve          many scenarios, one after the other:
 *                                    each "session ARGS" line (ARGS as
 *                                    above, separated by tabs) plays one in
 *                                    a fork of this process, as the command
 *                                    lines above would
 *   pausekit-driver --probe          can this machine make a PID namespace?
 *   pausekit-driver --named FD REAPS (not for the host) a named process's
 *                                    code, exec'd by the init as its program
 *
 *   spawn NAME PARENT REAPS    PARENT is "outside" or a name; REAPS 0 or 1
 *   exit NAME CODE             NAME calls _exit(CODE)
 *   kill FROM TARGET SIGNUM    FROM is "outside" or a name; TARGET "pause"
 *                              or a name
 *   subreaper NAME             NAME calls prctl(PR_SET_CHILD_SUBREAPER)
 *   disposition NAME SIGNUM default|ignore|catch|block
 *                              NAME sets SIG_DFL, SIG_IGN or a recording
 *                              handler and unblocks, or blocks the signal
 *   pids                       host pids of outside, pause and the living
 *                              named processes ("pid NAME PID" lines); no
 *                              settling
 *
 * After starting pause and after every command the driver lets the state
 * settle (polling /proc until every process is blocked with nothing
 * deliverable pending, twice in a row) and prints
 *
 *   pause running | stopped | exited CODE | killed SIGNUM
 *   proc NAME running|stopped|zombie|gone PARENT|- [caught=N,N...]
 *                                   one per process; caught= only for a
 *                                   process that has had a catch
 *                                   disposition: the signals its handler
 *                                   ran for since the last block, a
 *                                   real-time one once per delivery
 *   stderr HEX                                         pause's new stderr
 *   end
 *
 * or `error livelock` / `error MESSAGE` then `end`.
 *
 * Who is who. The driver is "outside": a child subreaper that reaps its own
 * children at once. pid1 mode: the driver unshares a PID namespace and forks
 * pause as its PID 1; later forks from outside land in that namespace with
 * the driver as parent, as a runtime shim's do. plain mode: the driver forks
 * once more so that its child is PID 1 of the new namespace and plays
 * "outside" there; pause is then an ordinary child (not PID 1). Either way
 * every process except the driver lives in the namespace, so the namespace's
 * death takes all of them along.
 *
 * Named processes are forks of this binary running named_main(): each reads
 * commands from its own SOCK_SEQPACKET socket, whose other end the driver
 * holds; a child of a named process gets its socket passed with SCM_RIGHTS.
 * A named process starts with default signal dispositions (SIGCHLD with
 * SA_NOCLDSTOP) and an empty mask; one that reaps blocks SIGCHLD and takes
 * it from a signalfd, then drains waitpid(). A "catch" handler sends
 * "c SIGNUM" on the socket, which the driver collects.
 *
 * Init mode: the driver starts INIT (pause -- PROGRAM, or a peer) with the
 * program's socket inherited as fd 3 and PATH as the only environment
 * variable; the program is this binary again (--named 3 REAPS), exec'd by
 * the init, so it obeys like any named process. The init keeps its copy of
 * fd 3, so the program's exit shows on its pidfd, not as EOF. A failing
 * exec (missing, not-executable) runs a PROGRAM name on a PATH of an empty
 * temporary directory, or of one holding that name as a 0644 file; the
 * driver finds the short-lived child in /proc/PID/task/PID/children.
 *
 * Cleanup, even when the runner dies: the driver has PR_SET_PDEATHSIG
 * SIGKILL and exits on stdin EOF; pause (pid1) or the inner driver (plain)
 * has PR_SET_PDEATHSIG SIGKILL too, and the death of a namespace's init
 * kills every process left in it. Named processes exit on socket EOF.
 *
 * Error policy: setup failures print `error ...` and exit 3; a command that
 * cannot be carried out prints `error ...` and the runner gives up.
 *
 * Serving (--serve): the runner keeps one driver for many scenarios, which
 * saves it a process start per scenario. A "session ARGS" line forks a
 * session, which plays one scenario exactly as a driver started with ARGS
 * does (its own PID namespace, pause, the commands on stdin) until "quit";
 * the server then reaps it and answers "closed exit CODE" or "closed
 * signal SIGNUM", then "end". The runner may send a session's commands
 * and its "quit" right after its "session" line, but nothing of the next
 * session before that answer: what the server read ahead of a session's
 * lines is the session's (it has a copy), and the server drops it. Lines
 * between sessions other than "session" are ignored (the rest of a
 * session that died first, which has already been answered).
 *
 * This file is the protocol: it owns the driver's state (struct driver)
 * and hands it to the parts driver.h lists; namespace.c makes the
 * namespace, start.c starts pause, steps.c carries out the commands,
 * observe.c settles and prints blocks.
 */

#include "driver.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

/* What the command line asks for: pause alone, or an init and its program. */
struct args {
	const char *binary;
	char **init_argv;
	const char *program;
	enum exec_outcome exec;
	enum mode mode;
	long settle_ms;
	bool stop_at_error;
	unsigned long long ignored, blocked;
};

/* "--init-program NAME OUTCOME": the outcome's word. */
static enum exec_outcome exec_outcome(const char *word)
{
	static const char *const words[] = { "ok", "missing", "not-executable", "directory", "name-too-long" };
	unsigned i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(word, words[i]))
			return (enum exec_outcome)i;
	return EXEC_OK;
}

/* "1,15,34": a set of signals 1..64 (SIGBIT); a number out of range is a usage error. */
static bool signal_list(const char *text, unsigned long long *set)
{
	char *after;

	for (*set = 0; *text; text = *after ? after + 1 : after) {
		long sig = strtol(text, &after, 10);

		if (after == text || sig < 1 || sig > 64 || (*after && *after != ','))
			return false;
		*set |= SIGBIT(sig);
	}
	return true;
}

/* "pids": every process's host pid, for tests that look at /proc themselves. */
static void print_pids(struct procs *t)
{
	int i;

	printf("pid outside %d\n", (int)t->self_host_pid);
	for (i = 0; i < t->count; i++)
		if (!procs_gone(t, &t->all[i]))
			printf("pid %s %d\n", t->all[i].name, (int)t->all[i].host_pid);
	printf("end\n");
	fflush(stdout);
}

/* Wrong arguments: the runner builds them, so this is a programming error. */
static void usage(void)
{
	fprintf(stderr, "usage: pausekit-driver --pause BINARY --mode pid1|plain "
			"[--settle-ms N] [--stop-at-error] [--ignore SIGNUM,...] [--block SIGNUM,...] | "
			"--mode pid1|plain [--settle-ms N] [--stop-at-error] [--ignore ...] [--block ...] "
			"--init-program NAME ok|missing|not-executable|directory|name-too-long -- INIT [ARGS...] "
			"| --serve | --probe\n");
	exit(2);
}

/*
 * The command line into a; --probe and --named (a named process's start)
 * are carried out at once and never come back.
 */
static void parse_args(int argc, char **argv, struct args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--probe"))
			exit(probe());
		if (!strcmp(argv[i], "--named") && i + 2 < argc)
			named_start(atoi(argv[i + 1]), argv[i + 2][0] == '1', true);
		if (!strcmp(argv[i], "--init-program") && i + 2 < argc) {
			a->program = argv[++i];
			a->exec = exec_outcome(argv[++i]);
		} else if ((!strcmp(argv[i], "--ignore") || !strcmp(argv[i], "--block")) && i + 1 < argc) {
			if (!signal_list(argv[i + 1], argv[i][2] == 'i' ? &a->ignored : &a->blocked))
				usage();
			i++;
		} else if (!strcmp(argv[i], "--") && i + 1 < argc) {
			a->init_argv = argv + i + 1;
			break;
		} else if (!strcmp(argv[i], "--pause") && i + 1 < argc)
			a->binary = argv[++i];
		else if (!strcmp(argv[i], "--mode") && i + 1 < argc)
			a->mode = !strcmp(argv[++i], "plain") ? MODE_PLAIN : MODE_PID1;
		else if (!strcmp(argv[i], "--settle-ms") && i + 1 < argc)
			a->settle_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--stop-at-error"))
			a->stop_at_error = true;
		else
			usage();
	}
	if (!a->binary == !a->init_argv || !a->program != !a->init_argv)
		usage();
}

/*
 * The namespace and the driver's place in it: a subreaper, SIGCHLD as a
 * signalfd, its pids, an empty process table. Returns false when the
 * runner is already gone.
 */
static bool set_up(struct driver *d)
{
	pid_t parent = getppid();
	struct rlimit no_core = { 0, 0 };
	sigset_t chld;
	pid_t pids[8];
	int levels, chld_fd;

	/* Die with the runner; keep the terminal's signals away from pause. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return false;
	setsid();
	setrlimit(RLIMIT_CORE, &no_core);
	/* Settling sleeps 50 µs between looks: not the default 50 µs more. */
	prctl(PR_SET_TIMERSLACK, 1);
	named_defaults();

	if (!enter_pid_namespace())
		die("cannot create a PID namespace (%s): run as root, or allow "
		    "unprivileged user namespaces", strerror(errno));
	if (d->mode == MODE_PLAIN)
		become_namespace_init();
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	levels = read_nspids("/proc/self/status", pids, 8);
	if (levels <= 0)
		die("cannot read /proc/self/status");

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, 0);
	chld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (chld_fd < 0)
		die("signalfd: %s", strerror(errno));
	procs_init(&d->procs, pids[0], levels - 1, chld_fd);
	return true;
}

/* One command line carried out: 0, or -1 once its error block is out. */
static int command(struct driver *d, const char *line)
{
	char a[NAME_LEN + 1], b[NAME_LEN + 1];
	int n;

	if (sscanf(line, "spawn %64s %64s %d", a, b, &n) == 3)
		return cmd_spawn(d, a, b, n != 0);
	if (sscanf(line, "exit %64s %d", a, &n) == 2)
		return cmd_exit(d, a, n);
	if (sscanf(line, "kill %64s %64s %d", a, b, &n) == 3)
		return cmd_kill(d, a, b, n);
	if (sscanf(line, "subreaper %64s", a) == 1)
		return cmd_subreaper(d, a);
	if (sscanf(line, "disposition %64s %d %64s", a, &n, b) == 3)
		return cmd_disposition(d, a, n, b);
	if (!strncmp(line, "pids", 4)) {
		print_pids(&d->procs);
		return 0;
	}
	return fail("unknown command: %s", line);
}

/*
 * One command per line until stdin closes or says "quit". With
 * stop_at_error, the lines after a command's error are read and ignored up
 * to "quit" (all of them if already stopped): a runner that sends a
 * scenario's steps all at once gets no block for the steps it gave up with
 * the one that failed.
 */
static void obey(struct driver *d, bool stop_at_error, bool stopped)
{
	char line[512];

	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "quit", 4))
			break;
		if (!stopped && command(d, line) < 0)
			stopped = stop_at_error;
	}
}

/* Stdin closed or "quit": kill pause's namespace and reap everything. */
static void end(struct driver *d)
{
	const struct proc *pause = &d->procs.all[0];

	remove_exec_dir();
	if (d->mode == MODE_PLAIN) /* we are the namespace's init: exiting is enough */
		return;
	if (!procs_gone(&d->procs, pause))
		procs_signal(pause, SIGKILL);
	while (waitpid(-1, 0, 0) > 0 || errno == EINTR)
		;
}

/*
 * One scenario, as the command line asks: set up (die with the runner, own
 * session, no core files, the namespace, subreaper, SIGCHLD as a
 * signalfd), start pause, observe, then obey stdin until it closes or says
 * "quit". The driver's state lives here, passed to every part. Its exit
 * status.
 */
static int play(int argc, char **argv)
{
	static struct driver d;
	struct args a = { .exec = EXEC_OK, .mode = MODE_PID1, .settle_ms = 2000 };

	parse_args(argc, argv, &a);
	d.mode = a.mode;
	d.settle_ms = a.settle_ms;
	d.pause_err_fd = -1;
	d.inherit_ignored = a.ignored;
	d.inherit_blocked = a.blocked;
	if (!set_up(&d))
		return 1;
	if (a.init_argv)
		start_init(&d, a.init_argv, a.program, a.exec);
	else
		start_pause(&d, a.binary);
	/* With --stop-at-error, a start that never settles gives every step up. */
	obey(&d, a.stop_at_error, !observe(&d) && a.stop_at_error);
	end(&d);
	return 0;
}

#define MAX_SESSION_ARGS 64

/*
 * A "session ARGS" line into argv (argv[0] is this program, then each
 * tab-separated field, the newline dropped); the count, 0 if too many.
 */
static int session_args(char *line, char **argv)
{
	int argc = 1;
	char *field;

	argv[0] = "pausekit-driver";
	line[strcspn(line, "\n")] = 0;
	for (field = strtok(line + strlen("session"), "\t"); field; field = strtok(0, "\t")) {
		if (argc == MAX_SESSION_ARGS - 1)
			return 0;
		argv[argc++] = field;
	}
	argv[argc] = 0;
	return argc;
}

/*
 * --serve: a session per "session ARGS" line, each a fork that plays one
 * scenario as play() does, reaped before the next line is read; its end
 * answered "closed exit CODE" or "closed signal SIGNUM". Dies with the
 * runner; ends at stdin's EOF.
 */
static int serve(void)
{
	pid_t parent = getppid();
	char line[16384];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		char *argv[MAX_SESSION_ARGS];
		int argc, status;
		pid_t session;

		if (strncmp(line, "session\t", 8))
			continue; /* "quit" after a session that died, or nothing */
		argc = session_args(line, argv);
		fflush(stdout);
		session = argc ? fork() : -1;
		if (session == 0)
			exit(play(argc, argv));
		while (session > 0 && waitpid(session, &status, 0) < 0 && errno == EINTR)
			;
		/* What was read ahead of the session's lines is the session's. */
		__fpurge(stdin);
		if (session < 0) /* as a session's setup failure would answer */
			printf("error cannot start a session: %s\nend\nclosed exit %d\nend\n",
			       argc ? strerror(errno) : "too many arguments", EXIT_SETUP);
		else if (WIFEXITED(status))
			printf("closed exit %d\nend\n", WEXITSTATUS(status));
		else
			printf("closed signal %d\nend\n", WTERMSIG(status));
		fflush(stdout);
	}
	return 0;
}

/* A server of sessions (--serve), or one scenario from the command line. */
int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--serve"))
		return serve();
	return play(argc, argv);
}
