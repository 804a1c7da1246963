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
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROGRAMS 64
#define MAX_ARGS 16
#define MAX_READY 8
#define READY_TIMEOUT_NS 5000000000LL
#define REAP_TIMEOUT_NS 60000000000LL
#define POLL_PAUSE_NS 20000L

struct program {
	char *id;
	int ready[MAX_READY];
	int n_ready;
	int child_ready[MAX_READY];
	int n_child_ready; /* 0: starts no child */
	char *argv[MAX_ARGS + 1];
};

static struct program programs[MAX_PROGRAMS];
static int n_programs;
static int devnull = -1;
static int own_pid_ns = -1;
static volatile sig_atomic_t interrupted;
static int realtime; /* --realtime: latency samples run SCHED_FIFO */

/* Monotonic nanoseconds: the only clock the measurements use. */
static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Between two polls of /proc: yield the CPU briefly instead of spinning. */
static void poll_pause(void)
{
	struct timespec ts = { 0, POLL_PAUSE_NS };

	nanosleep(&ts, 0);
}

static void on_interrupt(int sig)
{
	interrupted = sig;
}

/* Read a small /proc file into buf (NUL-terminated); -1 if it is gone. */
static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* The parent pid of pid, from /proc/PID/stat; -1 if it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return -1;
	return (pid_t)strtol(p + 4, 0, 10); /* ") S <ppid>" */
}

/*
 * The children of pid (at most max), by scanning /proc: this kernel may lack
 * /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN).
 */
static int children_of(pid_t pid, pid_t *out, int max)
{
	DIR *dir = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir)) && n < max) {
		pid_t p = (pid_t)strtol(e->d_name, 0, 10);

		if (p > 0 && parent_of(p) == pid)
			out[n++] = p;
	}
	closedir(dir);
	return n;
}

/* The system call pid sleeps in, from /proc/PID/syscall; -1 if running. */
static int sleeping_in(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	return atoi(buf);
}

static int in_set(int value, const int *set, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == value)
			return 1;
	return 0;
}

/*
 * Kill and reap every process the harness still has: none is left behind.
 * A peer's child killed with its parent is re-parented here (we are a
 * subreaper) only after the scan that found the parent, so scan again until
 * no child at all is left, never blocking on one nobody has killed.
 */
static void kill_children(void)
{
	pid_t kids[256];
	pid_t reaped;
	int i, n;

	for (;;) {
		n = children_of(getpid(), kids, 256);
		for (i = 0; i < n; i++)
			kill(kids[i], SIGKILL);
		while ((reaped = waitpid(-1, 0, __WALL | WNOHANG)) > 0)
			;
		if (reaped < 0 && errno == ECHILD)
			return;
		poll_pause();
	}
}

static void stop_if_interrupted(void)
{
	if (interrupted) {
		kill_children();
		_exit(128 + interrupted);
	}
}

static struct program *find_program(const char *id)
{
	int i;

	for (i = 0; i < n_programs; i++)
		if (!strcmp(programs[i].id, id))
			return &programs[i];
	return 0;
}

/*
 * Start a program with its output discarded: as PID 1 of a fresh PID
 * namespace (clone with CLONE_NEWPID, a new one every time), or as a plain
 * child. It dies with the harness (PR_SET_PDEATHSIG).
 */
static pid_t launch(const struct program *p, int pid1)
{
	pid_t pid = pid1 ? (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0)
			 : fork();
	sigset_t none;

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, 0);
	dup2(devnull, 0);
	dup2(devnull, 1);
	dup2(devnull, 2);
	close_range(3, ~0U, 0);
	execv(p->argv[0], p->argv);
	_exit(127);
}

/*
 * The readiness handshake: poll until the program sleeps in one of its
 * ready system calls, and so does its child if it starts one. 0 when ready,
 * else -1 with why in err.
 */
static int wait_ready(const struct program *p, pid_t pid, char *err, size_t size)
{
	int64_t deadline = now_ns() + READY_TIMEOUT_NS;
	int status;

	for (;;) {
		pid_t kids[4];
		int n;

		stop_if_interrupted();
		if (waitpid(pid, &status, WNOHANG) == pid) {
			snprintf(err, size, "exited while starting (wait status %d)", status);
			return -1;
		}
		if (in_set(sleeping_in(pid), p->ready, p->n_ready)) {
			if (!p->n_child_ready)
				return 0;
			n = children_of(pid, kids, 4);
			if (n == 1 && in_set(sleeping_in(kids[0]), p->child_ready, p->n_child_ready))
				return 0;
		}
		if (now_ns() > deadline) {
			snprintf(err, size, "not ready after %lld s (sleeping in syscall %d)",
				 READY_TIMEOUT_NS / 1000000000LL, sleeping_in(pid));
			return -1;
		}
		poll_pause();
	}
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
static void latency_sample(const struct program *p, int pid1, int sig)
{
	const char *mode = pid1 ? "pid1" : "plain";
	char err[160];
	int64_t t0, t1;
	int status;
	pid_t pid;

	if (realtime)
		set_realtime(1);
	pid = launch(p, pid1);

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

/* The CPU time pid has used so far (/proc/PID/schedstat), in ns. */
static int64_t cpu_ns(pid_t pid)
{
	char path[64], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, 0, 10);
}

/*
 * The init's context switches so far, from /proc/PID/status: voluntary (it
 * blocked, in its wait or elsewhere) and involuntary (it was preempted).
 * -1 if it is gone.
 */
static int context_switches(pid_t pid, long long *voluntary, long long *involuntary)
{
	char path[64], buf[4096], *v, *i;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 ||
	    !(v = strstr(buf, "\nvoluntary_ctxt_switches:")) ||
	    !(i = strstr(buf, "\nnonvoluntary_ctxt_switches:")))
		return -1;
	*voluntary = strtoll(v + strlen("\nvoluntary_ctxt_switches:"), 0, 10);
	*involuntary = strtoll(i + strlen("\nnonvoluntary_ctxt_switches:"), 0, 10);
	return 0;
}

/* Whether pid is blocked (state S) in one of its ready system calls. */
static int asleep_ready(const struct program *p, pid_t pid)
{
	char path[64], buf[512], *s;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(s = strrchr(buf, ')')) || s[2] != 'S')
		return 0;
	return in_set(sleeping_in(pid), p->ready, p->n_ready);
}

/* Poll until pid sleeps in its wait; -1 after READY_TIMEOUT_NS. */
static int wait_asleep(const struct program *p, pid_t pid)
{
	int64_t deadline = now_ns() + READY_TIMEOUT_NS;

	while (!asleep_ready(p, pid)) {
		stop_if_interrupted();
		if (now_ns() > deadline)
			return -1;
		poll_pause();
	}
	return 0;
}

/*
 * One orphan: hand the harness a pidfd for itself (readable once the orphan
 * exits, POLLHUP once it is reaped), then block until released.
 */
static void orphan(uint32_t index, int sock, const int release[2])
{
	int pidfd;
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &index, sizeof(index) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	char byte;

	close(release[1]);
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		_exit(1);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &pidfd, sizeof(int));
	if (sendmsg(sock, &msg, 0) < 0)
		_exit(1);
	close(pidfd);
	while (read(release[0], &byte, 1) < 0)
		;
	_exit(0);
}

/* Fork n orphans-to-be, then exit so that the namespace's init adopts them. */
static void make_orphans(long n, int sock, const int release[2])
{
	long i;

	dup2(devnull, 0);
	dup2(devnull, 1);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			_exit(1);
		if (pid == 0)
			orphan((uint32_t)i, sock, release);
	}
	_exit(0);
}

/* Receive one pidfd and the orphan's index; -1 after the deadline. */
static int receive_pidfd(int sock, int64_t deadline, uint32_t *index)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { index, sizeof(*index) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control, .msg_controllen = sizeof(control) };
	struct pollfd pf = { sock, POLLIN, 0 };
	struct cmsghdr *cmsg;
	int fd;

	while (poll(&pf, 1, 100) <= 0) {
		stop_if_interrupted();
		if (now_ns() > deadline)
			return -1;
	}
	if (recvmsg(sock, &msg, 0) != sizeof(*index))
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* The pid (in our namespace) a pidfd refers to, from /proc/self/fdinfo. */
static pid_t pid_of_pidfd(int fd)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nPid:")))
		return -1;
	return (pid_t)strtol(p + 5, 0, 10);
}

/* Every orphan sleeps in read() on the release pipe: released together. */
static int orphans_ready(const int *pidfds, long n, int64_t deadline)
{
	long i;

	for (i = 0; i < n; i++) {
		pid_t pid = pid_of_pidfd(pidfds[i]);

		while (sleeping_in(pid) != SYS_read) {
			stop_if_interrupted();
			if (now_ns() > deadline)
				return -1;
			poll_pause();
		}
	}
	return 0;
}

/*
 * Watch every orphan die and be reaped. A pidfd becomes readable when its
 * process exits and also reports POLLHUP once it is reaped; edge-triggered,
 * each transition is seen once. Both moments are taken by this same
 * observer, so the lag between them carries the same delay on each side.
 * 0 when all are reaped, with the times of the last exit and last reap.
 */
static int all_reaped(const int *pidfds, long n, int64_t deadline, int64_t *last_exit,
		      int64_t *last_reap)
{
	struct epoll_event events[256];
	int ep = epoll_create1(EPOLL_CLOEXEC), rc = -1;
	char *exited = calloc((size_t)n, 1);
	long i, reaped = 0;

	if (ep < 0 || !exited)
		goto out;
	for (i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = (uint64_t)i };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, pidfds[i], &ev) < 0)
			goto out;
	}
	while (reaped < n) {
		int got = epoll_wait(ep, events, 256, 100);
		int64_t t = now_ns();

		stop_if_interrupted();
		for (i = 0; i < got; i++) {
			uint64_t k = events[i].data.u64;

			if (!exited[k]) {
				exited[k] = 1;
				*last_exit = t;
			}
			if (events[i].events & EPOLLHUP) {
				reaped++;
				*last_reap = t;
			}
		}
		if (got <= 0 && t > deadline)
			goto out;
	}
	rc = 0;
out:
	free(exited);
	if (ep >= 0)
		close(ep);
	return rc;
}

/*
 * One reaping sample. The program starts as PID 1; a helper forked into its
 * namespace forks n orphans and exits, so the program adopts them; they all
 * block on one pipe, whose closing releases them together. Measured: release
 * to the last reap, the lag between the last orphan's exit and the last
 * reap, and from release until the init sleeps again in its wait: its CPU
 * time and its context switches. It sleeps at both ends, so each voluntary
 * switch in between ends one wake-up from that sleep (or from a sleep
 * elsewhere): the wake-ups; the involuntary ones are preemptions.
 */
static void reaping_sample(const struct program *p, long n)
{
	int sv[2] = { -1, -1 }, release[2] = { -1, -1 }, ns = -1, status;
	int64_t deadline, t0, c0, c1, last_exit = 0, last_reap = 0;
	long long v0 = 0, v1 = 0, i0 = 0, i1 = 0;
	int *pidfds = calloc((size_t)n, sizeof(int));
	pid_t init = -1, helper;
	char path[64], err[160];
	const char *fail = 0;
	long i, got = 0;

	if (!pidfds || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(release, O_CLOEXEC) < 0) {
		fail = "out of resources";
		goto out;
	}
	init = launch(p, 1);
	if (init < 0 || wait_ready(p, init, err, sizeof(err)) < 0) {
		fail = init < 0 ? "cannot start" : err;
		goto out;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", init);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWPID) < 0) {
		fail = "cannot enter the PID namespace";
		goto out;
	}
	helper = fork();
	if (helper == 0)
		make_orphans(n, sv[1], release);
	setns(own_pid_ns, CLONE_NEWPID);
	close(sv[1]);
	sv[1] = -1;
	deadline = now_ns() + REAP_TIMEOUT_NS;
	for (got = 0; got < n; got++) {
		uint32_t index = 0;
		int fd = receive_pidfd(sv[0], deadline, &index);

		if (fd < 0 || index >= n || pidfds[index]) {
			fail = "orphans did not all start";
			goto out;
		}
		pidfds[index] = fd;
	}
	if (helper < 0 || waitpid(helper, &status, 0) != helper || status != 0) {
		fail = "the helper that forks the orphans failed";
		goto out;
	}
	if (orphans_ready(pidfds, n, deadline) < 0) {
		fail = "orphans not all waiting for release";
		goto out;
	}
	if (wait_asleep(p, init) < 0 || context_switches(init, &v0, &i0) < 0) {
		fail = "the init is not asleep in its wait before the release";
		goto out;
	}
	c0 = cpu_ns(init);
	t0 = now_ns();
	close(release[1]);
	release[1] = -1;
	if (all_reaped(pidfds, n, t0 + REAP_TIMEOUT_NS, &last_exit, &last_reap) < 0) {
		fail = "orphans left unreaped after 60 s";
		goto out;
	}
	/* Its last drain may still run (the waitpid that finds no child left). */
	if (wait_asleep(p, init) < 0 || context_switches(init, &v1, &i1) < 0) {
		fail = "the init did not go back to sleep in its wait after the last reap";
		goto out;
	}
	c1 = cpu_ns(init);
	printf("R\t%s\t%ld\t%lld\t%lld\t%lld\t%lld\t%lld\n", p->id, n, (long long)(last_reap - t0),
	       (long long)(c1 - c0), (long long)(last_reap - last_exit), v1 - v0, i1 - i0);
out:
	if (fail)
		printf("E\t%s\treaping %ld: %s\n", p->id, n, fail);
	kill_children();
	for (i = 0; i < got && pidfds; i++)
		if (pidfds[i] > 0)
			close(pidfds[i]);
	free(pidfds);
	if (ns >= 0)
		close(ns);
	for (i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (release[i] >= 0)
			close(release[i]);
	}
}

/* The value of a "Name:   N kB" line of /proc/PID/status; -1 if absent. */
static long status_kb(const char *status, const char *name)
{
	const char *p = strstr(status, name);

	return p ? strtol(p + strlen(name), 0, 10) : -1;
}

/* Footprint: resident and peak resident set, idle as PID 1. */
static void footprint_sample(const struct program *p)
{
	char path[64], buf[4096], err[160];
	pid_t pid = launch(p, 1);

	if (pid < 0 || wait_ready(p, pid, err, sizeof(err)) < 0) {
		printf("E\t%s\tfootprint: %s\n", p->id, pid < 0 ? "cannot start" : err);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		if (read_file(path, buf, sizeof(buf)) < 0)
			printf("E\t%s\tfootprint: cannot read %s\n", p->id, path);
		else
			printf("F\t%s\t%ld\t%ld\n", p->id, status_kb(buf, "\nVmRSS:"),
			       status_kb(buf, "\nVmHWM:"));
	}
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
static void command(char *line)
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
		latency_sample(p, !strcmp(f[2], "pid1"), atoi(f[3]));
	else if (n == 3 && !strcmp(f[0], "R"))
		reaping_sample(p, atol(f[2]));
	else if (n == 2 && !strcmp(f[0], "F"))
		footprint_sample(p);
	else
		printf("E\t%s\tbad command %s\n", f[1], f[0]);
}

int main(int argc, char **argv)
{
	struct sigaction act = { .sa_handler = on_interrupt };
	struct rlimit files;
	char *line = 0;
	size_t size = 0;

	sigemptyset(&act.sa_mask);
	sigaction(SIGINT, &act, 0);
	sigaction(SIGTERM, &act, 0);
	sigaction(SIGHUP, &act, 0);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* One pidfd per orphan: raise the open-file limit as far as allowed. */
	if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
		files.rlim_cur = files.rlim_max;
		setrlimit(RLIMIT_NOFILE, &files);
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || own_pid_ns < 0) {
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
		command(line);
	}
	kill_children();
	stop_if_interrupted();
	free(line);
	return 0;
}
