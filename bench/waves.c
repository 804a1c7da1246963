/*
 * soak, the waves: pause started as PID 1 of a fresh PID namespace, and one
 * wave of orphans of a kind (soak.c's top comment describes them) forked
 * into its namespace by a helper whose exit hands them to pause, released,
 * and timed until pause has reaped the last. Uses common.c.
 */
#include "soak.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_TIMEOUT_NS 5000000000LL
#define EXIT_TIMEOUT_NS 60000000000LL /* a wave's orphans all exit within this */

static const char *const kind_name[KINDS] = { "burst", "zombies", "chain", "stopped" };

/* utime + stime of pid, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
long cpu_ticks(pid_t pid)
{
	char buf[1024];
	const char *p = stat_after_comm(pid, buf, sizeof(buf));
	long utime, stime;

	if (!p)
		return -1;
	/* ") S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime" */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime) != 2)
		return -1;
	return utime + stime;
}

/* The state letter of pid (R, S, T, Z...), or 0 if it is gone. */
static char state_of(pid_t pid)
{
	char buf[512];
	const char *p = stat_after_comm(pid, buf, sizeof(buf));

	return p ? p[2] : 0;
}

/*
 * pause's children (zombies included), from /proc/PID/task/PID/children;
 * with zombies, how many of them are zombies. -1 if it cannot be read (a
 * kernel without CONFIG_PROC_CHILDREN).
 */
long children_of_pause(const struct soak *s, long *zombies)
{
	char path[64];
	FILE *f;
	long n = 0;
	int child;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", s->pause_pid, s->pause_pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (zombies)
		*zombies = 0;
	while (fscanf(f, "%d", &child) == 1) {
		n++;
		if (zombies && state_of(child) == 'Z')
			(*zombies)++;
	}
	fclose(f);
	return n;
}

/* pause waits for signals in one of these once it has set them up. */
static int is_waiting_call(long nr)
{
	return nr == SYS_rt_sigtimedwait
#ifdef SYS_pause
	       || nr == SYS_pause
#endif
	       || nr == SYS_ppoll;
}

/*
 * Start pause as PID 1 of a new PID namespace, its stderr a pipe whose read
 * end comes back in *err, and wait until it sleeps waiting for signals.
 */
void start_pause(struct soak *s, const char *path, int *err)
{
	int pipefd[2], devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int64_t deadline = now_ns() + READY_TIMEOUT_NS;
	char ns[64];

	if (devnull < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		fail("cannot open /dev/null or a pipe: %s", strerror(errno));
	s->pause_pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (s->pause_pid < 0)
		fail("cannot start pause in a new PID namespace: %s", strerror(errno));
	if (s->pause_pid == 0) {
		char *argv[] = { (char *)path, 0 };
		sigset_t none;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, 0);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(pipefd[1], 2);
		execv(path, argv);
		_exit(127);
	}
	close(devnull);
	close(pipefd[1]);
	*err = pipefd[0];
	while (!is_waiting_call(sleeping_in(s->pause_pid))) {
		int status;

		stop_if_interrupted();
		if (waitpid(s->pause_pid, &status, WNOHANG) == s->pause_pid) {
			s->pause_pid = -1;
			fail("pause %s exited while starting (wait status %d)", path, status);
		}
		if (now_ns() > deadline)
			fail("pause %s not waiting for signals after 5 s", path);
		poll_pause(POLL_PAUSE_NS);
	}
	snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", s->pause_pid);
	s->pause_pid_ns = open(ns, O_RDONLY | O_CLOEXEC);
	if (s->pause_pid_ns < 0)
		fail("cannot open %s: %s", ns, strerror(errno));
}

/*
 * Fork a process into pause's namespace (its parent stays us). In the
 * child: only the fds in keep[] survive, renumbered 3, 4, 5...
 */
pid_t fork_inside(const struct soak *s, const int *keep, int n_keep)
{
	pid_t pid;
	int i, copy[8];

	if (setns(s->pause_pid_ns, CLONE_NEWPID) < 0)
		fail("cannot enter pause's PID namespace: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (i = 0; i < n_keep; i++)
			copy[i] = fcntl(keep[i], F_DUPFD, 64);
		for (i = 0; i < n_keep; i++)
			dup2(copy[i], 3 + i);
		close_range(3 + n_keep, ~0U, 0);
		return 0;
	}
	if (setns(s->own_pid_ns, CLONE_NEWPID) < 0)
		fail("cannot go back to our PID namespace: %s", strerror(errno));
	if (pid < 0)
		fail("cannot fork into pause's namespace: %s", strerror(errno));
	return pid;
}

/* In an orphan: wait until the release pipe (fd 4) is closed, then exit. */
static __attribute__((noreturn)) void wait_release(void)
{
	char byte;

	while (read(4, &byte, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* Fork one orphan-to-be; on failure tell the wave (a byte on fd 5). */
static pid_t fork_or_report(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		char byte = 'F';

		if (write(5, &byte, 1) < 0)
			_exit(2);
		_exit(1);
	}
	return pid;
}

/*
 * The helper: inside pause's namespace, with fd 3 the wave's "done" pipe
 * (every orphan holds it), 4 the release pipe, 5 the failure pipe. It makes
 * the wave's orphans and exits, which hands them to pause.
 */
static __attribute__((noreturn)) void helper(enum kind kind, long n)
{
	pid_t *pids = calloc((size_t)n, sizeof(pid_t));
	siginfo_t info;
	long i;
	int status;

	if (!pids)
		_exit(1);
	switch (kind) {
	case BURST:
		for (i = 0; i < n; i++)
			if (fork_or_report() == 0)
				wait_release();
		break;
	case ZOMBIES:
		/* Each is a zombie (waited for without reaping) before we exit. */
		for (i = 0; i < n; i++)
			if ((pids[i] = fork_or_report()) == 0)
				_exit(0);
		for (i = 0; i < n; i++)
			while (waitid(P_PID, (id_t)pids[i], &info, WEXITED | WNOWAIT) < 0)
				if (errno != EINTR)
					_exit(1);
		break;
	case CHAIN:
		/* Each link forks the next, then waits for the release. */
		for (i = 0; i < n; i++) {
			if (fork_or_report() != 0) {
				if (i == 0)
					break; /* the helper: link 0 is out */
				wait_release();
			}
		}
		if (i == n)
			wait_release(); /* the last link */
		break;
	case STOPPED:
		/* One group, so that one kill() from outside continues them all. */
		setpgid(0, 0);
		for (i = 0; i < n; i++) {
			if ((pids[i] = fork_or_report()) == 0) {
				kill(getpid(), SIGSTOP);
				_exit(0);
			}
		}
		for (i = 0; i < n; i++)
			while (waitpid(pids[i], &status, WUNTRACED) < 0)
				if (errno != EINTR)
					_exit(1);
		break;
	case KINDS:
		break;
	}
	_exit(0);
}

/* Wait (interruptibly, to a deadline) until fd reaches end of file. */
static int until_eof(int fd, int64_t deadline)
{
	struct pollfd pf = { fd, POLLIN, 0 };
	char buf[64];

	for (;;) {
		stop_if_interrupted();
		if (poll(&pf, 1, 100) > 0) {
			ssize_t got = read(fd, buf, sizeof(buf));

			if (got == 0)
				return 0;
			if (got < 0 && errno != EINTR && errno != EAGAIN)
				return -1;
		}
		if (now_ns() > deadline)
			return -1;
	}
}

/* Wait for our child pid, interruptibly; its wait status. */
int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			fail("waitpid(%d): %s", pid, strerror(errno));
		stop_if_interrupted();
	}
	return status;
}

/* One wave of n orphans of one kind, reported as a W line. */
void wave(const struct soak *s, long index, enum kind kind, long n, int stormy)
{
	int done[2], release[2], failed[2], keep[3], status;
	int64_t t0, exited, reaped, deadline;
	long left = 0, zombies = 0, rss_kb, hwm_kb;
	char byte;
	pid_t pid;

	if (pipe2(done, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0 ||
	    pipe2(failed, O_CLOEXEC | O_NONBLOCK) < 0)
		fail("cannot make a wave's pipes: %s", strerror(errno));
	keep[0] = done[1];
	keep[1] = release[0];
	keep[2] = failed[1];
	t0 = now_ns();
	pid = fork_inside(s, keep, 3);
	if (pid == 0)
		helper(kind, n);
	close(done[1]);
	close(release[0]);
	close(failed[1]);
	status = reap(pid);
	if (read(failed[0], &byte, 1) == 1)
		fail("wave %ld (%s, %ld orphans): a fork failed in pause's namespace", index, kind_name[kind], n);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("wave %ld (%s): the helper failed (wait status %d)", index, kind_name[kind], status);
	/* Every orphan is pause's now; let them go. */
	if (kind == STOPPED && kill(-pid, SIGCONT) < 0)
		fail("wave %ld: cannot continue the stopped orphans: %s", index, strerror(errno));
	close(release[1]);
	if (until_eof(done[0], now_ns() + EXIT_TIMEOUT_NS) < 0)
		fail("wave %ld (%s): orphans still running after 60 s", index, kind_name[kind]);
	exited = now_ns();
	close(done[0]);
	close(failed[0]);
	deadline = exited + s->reap_timeout_ms * 1000000LL;
	for (;;) {
		stop_if_interrupted();
		left = children_of_pause(s, 0);
		if (left < 0)
			fail("cannot read /proc/%d/task/%d/children (CONFIG_PROC_CHILDREN)", s->pause_pid, s->pause_pid);
		if (left == 0 || now_ns() > deadline)
			break;
		poll_pause(POLL_PAUSE_NS);
	}
	reaped = now_ns();
	if (left > 0)
		children_of_pause(s, &zombies);
	memory_kb(s->pause_pid, &rss_kb, &hwm_kb);
	printf("W\t%ld\t%s\t%ld\t%d\t%lld\t%lld\t%ld\t%ld\t%ld\t%ld\t%ld\t%lld\n", index, kind_name[kind], n,
	       stormy, (long long)(reaped - t0), (long long)(reaped - exited), left, zombies,
	       rss_kb, hwm_kb, cpu_ticks(s->pause_pid), (long long)cpu_ns(s->pause_pid));
}
