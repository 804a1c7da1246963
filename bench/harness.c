/*
 * harness: the measuring half of `pausekit bench`. Node decides what to run
 * and in which (shuffled) order, and does the statistics; this program forks,
 * signals and times, so that no garbage collector or event loop sits between
 * kill() and waitpid(). It reads commands from stdin, one a line, fields
 * separated by tabs, and answers each on stdout as soon as it is done:
 *
 *   P <id> <ready> <child> <argv0> [arg...]   declare a program. ready: the
 *        system call numbers (comma-separated) it sleeps in once ready, as
 *        /proc/PID/syscall shows them; child: the same for the one child it
 *        starts, or "-" when it starts none.
 *   L <id> <pid1|plain> <signal>   one latency sample: from kill() to the
 *        parent's waitpid() returning   -> L <id> <mode> <ns> <status>
 *   R <id> <n>    one reaping sample as PID 1: n orphans adopted, released
 *        together   -> R <id> <n> <release_to_reaped_ns> <cpu_ns> <lag_ns>
 *                        <wakeups> <preemptions>
 *   F <id>        footprint idle as PID 1   -> F <id> <vmrss_kb> <vmhwm_kb>
 *
 * With --realtime, latency samples run SCHED_FIFO (see set_realtime).
 * A failure answers E <id> <message> and the run goes on. Every program
 * starts only after a readiness handshake (polling /proc to a deadline, never
 * a sleep). Nothing is left behind: the harness is a subreaper, and on
 * SIGINT, SIGTERM, SIGHUP, end of input or its parent's death it kills and
 * reaps every process it still has.
 */
#include "harness.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROGRAMS 64

static struct program programs[MAX_PROGRAMS];
static int n_programs;
static int realtime; /* --realtime: latency samples run SCHED_FIFO */

/* A declared program by its id, or 0. */
static struct program *find_program(const char *id)
{
	int i;

	for (i = 0; i < n_programs; i++)
		if (!strcmp(programs[i].id, id))
			return &programs[i];
	return 0;
}

/*
 * --realtime: SCHED_FIFO for the harness and (inherited across fork) the
 * program under test, so that other work on a shared machine cannot preempt
 * the path being timed; the kernel's RT throttling still leaves others 5%.
 * on = 0 goes back to the normal policy.
 */
static int set_realtime(int on)
{
	struct sched_param param = { .sched_priority = on ? 10 : 0 };

	return sched_setscheduler(0, on ? SCHED_FIFO : SCHED_OTHER, &param);
}

/* One latency sample: kill(pid, sig) to waitpid() returning. */
static void latency_sample(const struct harness *h, const struct program *p, int pid1, int sig)
{
	const char *mode = pid1 ? "pid1" : "plain";
	char err[160];
	int64_t t0, t1;
	int status;
	pid_t pid;

	if (realtime)
		set_realtime(1);
	pid = launch(h, p, pid1);
	if (pid < 0) {
		printf("E\t%s\tcannot start: %s\n", p->id, strerror(errno));
		set_realtime(0);
		return;
	}
	if (wait_ready(p, pid, err, sizeof(err)) < 0) {
		printf("E\t%s\t%s: %s\n", p->id, mode, err);
		kill_children();
		set_realtime(0);
		return;
	}
	t0 = now_ns();
	kill(pid, sig);
	while (waitpid(pid, &status, 0) < 0)
		stop_if_interrupted();
	t1 = now_ns();
	printf("L\t%s\t%s\t%lld\t%d\n", p->id, mode, (long long)(t1 - t0), status);
	kill_children();
	set_realtime(0);
}

/* Footprint: resident and peak resident set, idle as PID 1. */
static void footprint_sample(const struct harness *h, const struct program *p)
{
	char err[160];
	long rss_kb, hwm_kb;
	pid_t pid = launch(h, p, 1);

	if (pid < 0 || wait_ready(p, pid, err, sizeof(err)) < 0)
		printf("E\t%s\tfootprint: %s\n", p->id, pid < 0 ? "cannot start" : err);
	else if (memory_kb(pid, &rss_kb, &hwm_kb) < 0)
		printf("E\t%s\tfootprint: cannot read /proc/%d/status\n", p->id, pid);
	else
		printf("F\t%s\t%ld\t%ld\n", p->id, rss_kb, hwm_kb);
	kill_children();
}

/* "34,128" -> {34, 128}; "-" -> none. */
static int parse_set(char *text, int *set)
{
	int n = 0;
	char *tok, *save;

	if (!strcmp(text, "-"))
		return 0;
	for (tok = strtok_r(text, ",", &save); tok && n < MAX_READY;
	     tok = strtok_r(0, ",", &save))
		set[n++] = atoi(tok);
	return n;
}

/* Split a line at tabs into at most max fields. */
static int split(char *line, char **fields, int max)
{
	int n = 0;
	char *save, *tok;

	line[strcspn(line, "\n")] = 0;
	for (tok = strtok_r(line, "\t", &save); tok && n < max; tok = strtok_r(0, "\t", &save))
		fields[n++] = tok;
	return n;
}

/* Carry out one command line; unknown ones are answered with E. */
static void command(const struct harness *h, char *line)
{
	char *f[MAX_ARGS + 8];
	int n = split(line, f, MAX_ARGS + 8), i;
	struct program *p;

	if (n >= 5 && !strcmp(f[0], "P") && n_programs < MAX_PROGRAMS && n - 4 <= MAX_ARGS) {
		p = &programs[n_programs++];
		p->id = strdup(f[1]);
		p->n_ready = parse_set(f[2], p->ready);
		p->n_child_ready = parse_set(f[3], p->child_ready);
		for (i = 4; i < n; i++)
			p->argv[i - 4] = strdup(f[i]);
		p->argv[n - 4] = 0;
		return;
	}
	p = n >= 2 ? find_program(f[1]) : 0;
	if (!p)
		printf("E\t%s\tunknown command or program\n", n >= 2 ? f[1] : "-");
	else if (n == 4 && !strcmp(f[0], "L"))
		latency_sample(h, p, !strcmp(f[2], "pid1"), atoi(f[3]));
	else if (n == 3 && !strcmp(f[0], "R"))
		reaping_sample(h, p, atol(f[2]));
	else if (n == 2 && !strcmp(f[0], "F"))
		footprint_sample(h, p);
	else
		printf("E\t%s\tbad command %s\n", f[1], f[0]);
}

/* On the way out of an interrupt: nothing the harness started survives it. */
static void kill_children_on_exit(void *unused)
{
	(void)unused;
	kill_children();
}

/*
 * Go down cleanly, stay a subreaper, allow one pidfd per orphan, then
 * answer Node's commands until its end of input.
 */
int main(int argc, char **argv)
{
	struct harness h;
	struct rlimit files;
	char *line = 0;
	size_t size = 0;

	catch_interrupts(kill_children_on_exit, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* One pidfd per orphan: raise the open-file limit as far as allowed. */
	if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
		files.rlim_cur = files.rlim_max;
		setrlimit(RLIMIT_NOFILE, &files);
	}
	h.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	h.own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (h.devnull < 0 || h.own_pid_ns < 0) {
		fprintf(stderr, "harness: cannot open /dev/null or /proc/self/ns/pid\n");
		return 1;
	}
	realtime = argc > 1 && !strcmp(argv[1], "--realtime");
	if (realtime && set_realtime(1) < 0) {
		fprintf(stderr, "harness: cannot switch to SCHED_FIFO: %s\n", strerror(errno));
		return 1;
	}
	set_realtime(0);
	setvbuf(stdout, 0, _IOLBF, 0);
	for (;;) {
		ssize_t got = getline(&line, &size, stdin);

		stop_if_interrupted();
		if (got < 0)
			break;
		command(&h, line);
	}
	kill_children();
	stop_if_interrupted();
	free(line);
	return 0;
}
