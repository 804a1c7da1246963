/*
 * pausekit-driver, what /proc says about a process (the host's /proc: host
 * pids), and the monotonic clock for deadlines. A leaf: it calls no other
 * part of the driver.
 */

#include "driver.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Milliseconds on the monotonic clock, for deadlines. */
long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read a small file into buf, NUL-ended: its length, or -1 if unreadable. */
static ssize_t read_text(const char *path, char *buf, size_t size)
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
	return n;
}

/*
 * Read /proc/PID/NAME: its length, or -1 if the process is gone. Through
 * fd, that file kept open, when fd >= 0: a process's files are opened once
 * (open_proc()), since settling reads them again and again, and an open
 * file names the process it was opened for, never a later one with its pid.
 */
static ssize_t read_proc(pid_t host_pid, const char *name, int fd, char *buf, size_t size)
{
	char path[96];
	ssize_t n;

	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)host_pid, name);
		return read_text(path, buf, size);
	}
	n = pread(fd, buf, size - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* /proc/PID/NAME opened for read_proc(), or -1 (then it reads by path). */
int open_proc(pid_t host_pid, const char *name)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)host_pid, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Up to max pids from a list of decimal numbers ("12 1 7"); how many. */
int parse_pids(const char *text, pid_t *pids, int max)
{
	int count = 0;
	char *end;

	while (count < max) {
		long v = strtol(text, &end, 10);

		if (end == text)
			break;
		pids[count++] = (pid_t)v;
		text = end;
	}
	return count;
}

/*
 * The pids of a process at every namespace level, from the "NSpid:" line
 * of its status file (path: /proc/self/status or /proc/PID/status in the
 * host's /proc; level 0 first). -1 if unreadable.
 */
int read_nspids(const char *path, pid_t *pids, int max)
{
	char buf[4096];
	const char *line;

	if (read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	line = strstr(buf, "NSpid:");
	if (!line)
		return -1;
	return parse_pids(line + 6, pids, max);
}

/* The children of a process (host pids, /proc/PID/task/PID/children); -1 if unreadable. */
int read_children(pid_t host_pid, pid_t *pids, int max)
{
	char name[32], buf[4096];

	snprintf(name, sizeof(name), "task/%d/children", (int)host_pid);
	if (read_proc(host_pid, name, -1, buf, sizeof(buf)) < 0)
		return -1;
	return parse_pids(buf, pids, max);
}

/*
 * What /proc/PID/stat says (fd: the file kept open, or -1): state, parent
 * and flags, in one short read. A namespace init that exits sleeps ("S") in
 * zap_pid_namespace() until every other process of the namespace is reaped,
 * and any process sleeps on its way out while it tears down: PF_EXITING in
 * the flags tells those apart from a process asleep for good.
 */
struct stat_line read_stat(pid_t host_pid, int fd)
{
	struct stat_line st = { 0, 0, 0 };
	char buf[1024];
	const char *p;
	int ppid;

	if (read_proc(host_pid, "stat", fd, buf, sizeof(buf)) <= 0)
		return st;
	/* After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 1, " %c %d %*d %*d %*d %*d %lu", &st.state, &ppid, &st.flags) != 3)
		return (struct stat_line){ 0, 0, 0 };
	st.ppid = (pid_t)ppid;
	return st;
}

/* Is the process on its way out (PF_EXITING)? */
bool is_exiting(pid_t host_pid, int fd)
{
	return (read_stat(host_pid, fd).flags & PF_EXITING) != 0;
}

/* One read of /proc/PID/status (fd: the file kept open, or -1). */
struct status read_status(pid_t host_pid, int fd)
{
	struct status st = { 0, 0, 0, 0 };
	char buf[4096];
	const char *p;

	if (read_proc(host_pid, "status", fd, buf, sizeof(buf)) <= 0)
		return st;
	if ((p = strstr(buf, "\nState:\t")))
		st.state = p[8];
	if ((p = strstr(buf, "\nPPid:\t")))
		st.ppid = (pid_t)atoi(p + 7);
	/* Bit n-1 is signal n, in /proc as here (SIGBIT). */
	if ((p = strstr(buf, "\nSigPnd:\t")))
		st.pending |= strtoull(p + 9, 0, 16);
	if ((p = strstr(buf, "\nShdPnd:\t")))
		st.pending |= strtoull(p + 9, 0, 16);
	if ((p = strstr(buf, "\nSigBlk:\t")))
		st.mask = strtoull(p + 9, 0, 16);
	return st;
}

/*
 * Is this sleeper really asleep? /proc/PID/status can say "S" for a process
 * that spins on waitpid(WNOHANG) (the kernel marks it interruptible inside
 * every wait4 call). /proc/PID/syscall waits until the task is off the CPU
 * and says "running" if it never settles there.
 */
bool really_running(pid_t host_pid, int fd)
{
	char buf[32];

	/* Not allowed to look: trust the state. */
	return read_proc(host_pid, "syscall", fd, buf, sizeof(buf)) > 0 && buf[0] == 'r';
}

/*
 * How many times the process has been put on a CPU (/proc/PID/schedstat,
 * its third number): it changes if the process ran at all, even a wake-up
 * and back to sleep between two looks. -1 if unreadable (gone). fd: the
 * file kept open, or -1.
 */
long long times_run(pid_t host_pid, int fd)
{
	char buf[128];
	long long runs;

	if (read_proc(host_pid, "schedstat", fd, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%*s %*s %lld", &runs) != 1)
		return -1;
	return runs;
}
