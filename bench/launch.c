/*
 * harness, the programs under test: started (as PID 1 of a fresh PID
 * namespace, or as a plain child), known ready by a handshake that polls
 * /proc to a deadline (never a sleep), and killed with everything they
 * started. Uses common.c.
 */
#include "harness.h"
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The parent pid of pid, from /proc/PID/stat; -1 if it is gone. */
static pid_t parent_of(pid_t pid)
{
	char buf[512];
	const char *p = stat_after_comm(pid, buf, sizeof(buf));

	return p ? (pid_t)strtol(p + 4, 0, 10) : -1; /* ") S <ppid>" */
}

/*
 * The children of pid (at most max), by scanning /proc: this kernel may lack
 * /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN).
 */
int children_of(pid_t pid, pid_t *out, int max)
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

/* Whether value is one of the n in set. */
int in_set(long value, const int *set, int n)
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
void kill_children(void)
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
		poll_pause(POLL_PAUSE_NS);
	}
}

/*
 * Start a program with its output discarded: as PID 1 of a fresh PID
 * namespace (clone with CLONE_NEWPID, a new one every time), or as a plain
 * child. It dies with the harness (PR_SET_PDEATHSIG).
 */
pid_t launch(const struct harness *h, const struct program *p, int pid1)
{
	pid_t pid = pid1 ? (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0)
			 : fork();
	sigset_t none;

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, 0);
	dup2(h->devnull, 0);
	dup2(h->devnull, 1);
	dup2(h->devnull, 2);
	close_range(3, ~0U, 0);
	execv(p->argv[0], p->argv);
	_exit(127);
}

/*
 * The readiness handshake: poll until the program sleeps in one of its
 * ready system calls, and so does its child if it starts one. 0 when ready,
 * else -1 with why in err.
 */
int wait_ready(const struct program *p, pid_t pid, char *err, size_t size)
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
			snprintf(err, size, "not ready after %lld s (sleeping in syscall %ld)",
				 READY_TIMEOUT_NS / 1000000000LL, sleeping_in(pid));
			return -1;
		}
		poll_pause(POLL_PAUSE_NS);
	}
}
