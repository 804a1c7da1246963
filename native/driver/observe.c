/*
 * pausekit-driver, observation: what /proc says about each process, when the
 * state has settled, and the observation block printed after every step.
 */

#include "driver.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* Clocks                                                                    */
/* ------------------------------------------------------------------------ */

/* Milliseconds on the monotonic clock, for deadlines. */
long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The pause between two /proc polls: short, so settling costs microseconds. */
static void poll_gap(void)
{
	struct timespec gap = { 0, 50 * 1000 };

	nanosleep(&gap, 0);
}

/* ------------------------------------------------------------------------ */
/* One process: /proc, pidfds                                                */
/* ------------------------------------------------------------------------ */

/* Read /proc/PID/NAME (the host's /proc: host pids) into buf, NUL-ended.
 * Returns the length, or -1 if the process is gone or the file unreadable. */
static ssize_t read_proc(pid_t host_pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)host_pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/*
 * A namespace init that exits sleeps ("S") in zap_pid_namespace() until every
 * other process of the namespace is reaped, and any process sleeps on its way
 * out while it tears down: PF_EXITING (in /proc/PID/stat's flags field) tells
 * those apart from a process asleep for good.
 */
#define PF_EXITING 0x00000004UL
static bool is_exiting(pid_t host_pid)
{
	char buf[1024];
	const char *p;
	unsigned long flags = 0;

	if (read_proc(host_pid, "stat", buf, sizeof(buf)) <= 0)
		return false;
	/* After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return (flags & PF_EXITING) != 0;
}

/* One read of /proc/PID/status (the host's /proc: host pids). */
struct status read_status(pid_t host_pid)
{
	struct status st = { 0, 0, 0 };
	char buf[4096];
	const char *p;

	if (read_proc(host_pid, "status", buf, sizeof(buf)) <= 0)
		return st;
	if ((p = strstr(buf, "\nState:\t")))
		st.state = p[8];
	if ((p = strstr(buf, "\nPPid:\t")))
		st.ppid = (pid_t)atoi(p + 7);
	/* Bit n-1 is signal n in /proc; bit n here. */
	if ((p = strstr(buf, "\nSigPnd:\t")))
		st.pending |= strtoull(p + 9, 0, 16) << 1;
	if ((p = strstr(buf, "\nShdPnd:\t")))
		st.pending |= strtoull(p + 9, 0, 16) << 1;
	return st;
}

/*
 * Is this sleeper really asleep? /proc/PID/status can say "S" for a process
 * that spins on waitpid(WNOHANG) (the kernel marks it interruptible inside
 * every wait4 call). /proc/PID/syscall waits until the task is off the CPU
 * and says "running" if it never settles there.
 */
static bool really_running(pid_t host_pid)
{
	char buf[32];

	/* Not allowed to look: trust the state. */
	return read_proc(host_pid, "syscall", buf, sizeof(buf)) > 0 && buf[0] == 'r';
}

/* Has someone reaped this process? (A zombie still counts as there.) */
bool check_gone(struct proc *p)
{
	if (!p->gone && proc_signal(p, 0) < 0 && errno == ESRCH) {
		p->gone = true;
		if (p->pidfd >= 0)
			close(p->pidfd);
		p->pidfd = -1;
	}
	return p->gone;
}

/* Has the process exited (a zombie, or reaped)? Its pidfd says so. */
bool has_exited(struct proc *p)
{
	struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };

	if (p->exited || p->gone)
		return true;
	if (p->pidfd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN))
		p->exited = true;
	return p->exited;
}

/* "outside" reaps its children at once; pause's status is kept. */
void reap_own_children(void)
{
	struct signalfd_siginfo info;
	int status;
	pid_t pid;

	while (read(chld_fd, &info, sizeof(info)) == sizeof(info))
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == pause_proc->view_pid && pause_status < 0)
			pause_status = status;
}

/* ------------------------------------------------------------------------ */
/* Settling                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Init mode: does pause (the init) have a child the driver does not track?
 * The program before the driver has found it (a failing exec announces
 * nothing) is adopted; anything else is on its way somewhere.
 */
static bool untracked_children(void)
{
	char path[96], buf[4096], *s, *end;
	ssize_t n;
	int fd, i;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		 (int)pause_proc->host_pid, (int)pause_proc->host_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	for (s = buf;; s = end) {
		long pid = strtol(s, &end, 10);
		bool tracked = false;

		if (end == s)
			break;
		for (i = 1; i < nprocs; i++)
			if (!procs[i].unseen && procs[i].host_pid == pid)
				tracked = true;
		if (tracked)
			continue;
		if (init_program->unseen)
			adopt(init_program, (pid_t)pid);
		found = true;
	}
	return found;
}

/*
 * One look at every process in play: true when nothing more can happen
 * without a new event. Stopped processes wait for SIGCONT; zombies wait for
 * a parent that is itself settled (or for us: then we are not done);
 * sleepers must have nothing pending but what they blocked themselves (a
 * "block" disposition; pause's own blocked signals are waiting for it).
 */
static bool settled_once(void)
{
	int i;

	reap_own_children();
	if (init_program && pause_status < 0 && !check_gone(pause_proc) && untracked_children())
		return false;
	for (i = 0; i < nprocs; i++) {
		struct proc *p = &procs[i];
		struct status st;

		if (p->unseen || check_gone(p))
			continue;
		st = read_status(p->host_pid);
		switch (st.state) {
		case 0: /* vanished between the two looks: look again */
			return false;
		case 'T':
		case 't':
			break;
		case 'Z':
			if (st.ppid == self_host_pid)
				return false;
			break;
		case 'S':
			if ((st.pending & ~p->blocked) || is_exiting(p->host_pid) ||
			    really_running(p->host_pid))
				return false;
			break;
		default: /* R, D, X: on its way somewhere */
			return false;
		}
	}
	return true;
}

/* Poll until settled twice in a row, or give up at the deadline. */
static bool settle(void)
{
	long deadline = now_ms() + settle_ms;
	int in_a_row = 0;

	for (;;) {
		in_a_row = settled_once() ? in_a_row + 1 : 0;
		if (in_a_row >= 2)
			return true;
		if (now_ms() > deadline)
			return false;
		poll_gap();
	}
}

/* ------------------------------------------------------------------------ */
/* The observation block                                                     */
/* ------------------------------------------------------------------------ */

/* Observations name parents: "outside", "pause" or a process name. */
static const char *parent_name(pid_t ppid)
{
	int i;

	if (ppid == self_host_pid)
		return "outside";
	for (i = 0; i < nprocs; i++)
		if (!procs[i].gone && procs[i].host_pid == ppid)
			return i == 0 ? "pause" : procs[i].name;
	return "?";
}

/* pause's stderr since the last observation, hex-encoded on one line. */
static void print_stderr(void)
{
	char buf[4096];
	ssize_t n, i;

	printf("stderr ");
	while ((n = read(pause_err_fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			printf("%02x", (unsigned char)buf[i]);
	printf("\n");
}

/* Settle, then print one observation block. */
void observe(void)
{
	int i;

	if (!settle()) {
		printf("error livelock\nend\n");
		fflush(stdout);
		return;
	}
	if (pause_status >= 0 && WIFEXITED(pause_status))
		printf("pause exited %d\n", WEXITSTATUS(pause_status));
	else if (pause_status >= 0)
		printf("pause killed %d\n", WTERMSIG(pause_status));
	else
		printf("pause %s\n", read_status(pause_proc->host_pid).state == 'T' ?
		       "stopped" : "running");
	for (i = 1; i < nprocs; i++) {
		struct proc *p = &procs[i];
		struct status st = p->unseen || check_gone(p) ? (struct status){ 0, 0, 0 } :
								read_status(p->host_pid);
		const char *state = st.state == 'Z' ? "zombie" :
				    st.state == 'T' || st.state == 't' ? "stopped" :
				    st.state == 0 ? "gone" : "running";

		drain_messages(p);
		printf("proc %s %s %s", p->name, state,
		       st.state ? parent_name(st.ppid) : "-");
		if (p->catches) {
			const char *sep = "";
			int sig;

			printf(" caught=");
			for (sig = 1; sig < 64; sig++)
				if (p->caught & (1ULL << sig)) {
					printf("%s%d", sep, sig);
					sep = ",";
				}
			p->caught = 0;
		}
		printf("\n");
	}
	print_stderr();
	printf("end\n");
	fflush(stdout);
}
