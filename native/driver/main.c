/*
 * pausekit-driver: the kernel scenario runner's hands. The TypeScript runner
 * (src/engine-kernel.ts) starts one driver per scenario and talks to it over
 * stdin/stdout, one command line in, one observation block out:
 *
 *   pausekit-driver --pause BINARY --mode pid1|plain [--settle-ms N]
 *   pausekit-driver --mode pid1|plain [--settle-ms N]
 *                   --init-program NAME ok|missing|not-executable
 *                   -- INIT [ARGS...]
 *                                    init mode: INIT (pause -- PROGRAM, or a
 *                                    peer: tini, dumb-init, catatonit) runs
 *                                    the program NAME; ARGS end with it
 *                                    (this binary --named 3 REAPS, or the
 *                                    failing exec's PROGRAM name)
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
 *                                   ran for since the last block
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
 * This file is the protocol; setup.c makes the namespace and the processes,
 * steps.c carries out the commands, observe.c settles and prints blocks.
 */

#include "driver.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>

/* The driver's state, shared by its parts (driver.h says what each is). */
struct proc procs[MAX_PROCS];
int nprocs;
struct proc *const pause_proc = &procs[0];

enum mode mode;
pid_t self_host_pid;
int self_level;
int pause_status = -1;
int chld_fd = -1;
int pause_err_fd = -1;
long settle_ms = 2000;
struct proc *init_program;

/* ------------------------------------------------------------------------ */
/* Errors, in the form the runner reads                                      */
/* ------------------------------------------------------------------------ */

/* An error block on stdout, the form the runner reads: "error ...\nend". */
static __attribute__((format(printf, 1, 0))) void report_error(const char *fmt, va_list ap)
{
	printf("error ");
	vprintf(fmt, ap);
	printf("\nend\n");
	fflush(stdout);
}

/* Setup failed: say why and stop. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_error(fmt, ap);
	va_end(ap);
	exit(EXIT_SETUP);
}

/* A command failed: say why; the runner stops the scenario. */
__attribute__((format(printf, 1, 2))) int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_error(fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* The protocol: arguments, then one command per line                        */
/* ------------------------------------------------------------------------ */

/* "pids": every process's host pid, for tests that look at /proc themselves. */
static void print_pids(void)
{
	int i;

	printf("pid outside %d\n", (int)self_host_pid);
	for (i = 0; i < nprocs; i++)
		if (!check_gone(&procs[i]))
			printf("pid %s %d\n", procs[i].name, (int)procs[i].host_pid);
	printf("end\n");
	fflush(stdout);
}

/* Wrong arguments: the runner builds them, so this is a programming error. */
static void usage(void)
{
	fprintf(stderr, "usage: pausekit-driver --pause BINARY --mode pid1|plain "
			"[--settle-ms N] | --mode pid1|plain [--settle-ms N] --init-program "
			"NAME ok|missing|not-executable -- INIT [ARGS...] | --probe\n");
	exit(2);
}

/*
 * Set up (die with the runner, own session, no core files, the namespace,
 * subreaper, SIGCHLD as a signalfd), start pause, observe, then obey stdin
 * until it closes.
 */
int main(int argc, char **argv)
{
	const char *binary = 0;
	char **init_argv = 0;
	const char *program = 0;
	enum exec_outcome exec = EXEC_OK;
	pid_t parent = getppid();
	struct rlimit no_core = { 0, 0 };
	sigset_t chld;
	pid_t pids[8];
	char line[512];
	int i;

	mode = MODE_PID1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--probe"))
			return probe();
		if (!strcmp(argv[i], "--named") && i + 2 < argc)
			named_start(atoi(argv[i + 1]), argv[i + 2][0] == '1');
		if (!strcmp(argv[i], "--init-program") && i + 2 < argc) {
			program = argv[++i];
			i++;
			exec = !strcmp(argv[i], "missing") ? EXEC_MISSING :
			       !strcmp(argv[i], "not-executable") ? EXEC_NOT_EXECUTABLE : EXEC_OK;
		} else if (!strcmp(argv[i], "--") && i + 1 < argc) {
			init_argv = argv + i + 1;
			break;
		} else if (!strcmp(argv[i], "--pause") && i + 1 < argc)
			binary = argv[++i];
		else if (!strcmp(argv[i], "--mode") && i + 1 < argc)
			mode = !strcmp(argv[++i], "plain") ? MODE_PLAIN : MODE_PID1;
		else if (!strcmp(argv[i], "--settle-ms") && i + 1 < argc)
			settle_ms = atol(argv[++i]);
		else
			usage();
	}
	if (!binary == !init_argv || !program != !init_argv)
		usage();

	/* Die with the runner; keep the terminal's signals away from pause. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return 1;
	setsid();
	setrlimit(RLIMIT_CORE, &no_core);

	if (!enter_pid_namespace())
		die("cannot create a PID namespace (%s): run as root, or allow "
		    "unprivileged user namespaces", strerror(errno));
	if (mode == MODE_PLAIN)
		become_namespace_init();
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	i = read_nspids("/proc/self/status", pids, 8);
	if (i <= 0)
		die("cannot read /proc/self/status");
	self_host_pid = pids[0];
	self_level = i - 1;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, 0);
	chld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (chld_fd < 0)
		die("signalfd: %s", strerror(errno));

	if (init_argv)
		start_init(init_argv, program, exec);
	else
		start_pause(binary);
	observe();

	while (fgets(line, sizeof(line), stdin)) {
		char a[NAME_LEN + 1], b[NAME_LEN + 1];
		int n;

		if (sscanf(line, "spawn %64s %64s %d", a, b, &n) == 3)
			cmd_spawn(a, b, n != 0);
		else if (sscanf(line, "exit %64s %d", a, &n) == 2)
			cmd_exit(a, n);
		else if (sscanf(line, "kill %64s %64s %d", a, b, &n) == 3)
			cmd_kill(a, b, n);
		else if (sscanf(line, "subreaper %64s", a) == 1)
			cmd_subreaper(a);
		else if (sscanf(line, "disposition %64s %d %64s", a, &n, b) == 3)
			cmd_disposition(a, n, b);
		else if (!strncmp(line, "pids", 4))
			print_pids();
		else if (!strncmp(line, "quit", 4))
			break;
		else
			fail("unknown command: %s", line);
	}
	cleanup();
	return 0;
}
