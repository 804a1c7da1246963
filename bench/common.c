/*
 * The helpers harness and soak share (common.h says who uses them): the
 * monotonic clock, small reads of /proc, pidfds, and going down cleanly on
 * SIGINT, SIGTERM, SIGHUP (or the parent's death) and on a failure, with
 * the cleanup the program registered. A leaf: it calls nothing of theirs.
 */
#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;
static void (*registered_clean_up)(void *);
static void *registered_arg;

/* Monotonic nanoseconds: the only clock the measurements use. */
int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Between two polls of /proc: yield the CPU for pause_ns instead of spinning. */
void poll_pause(long pause_ns)
{
	struct timespec ts = { 0, pause_ns };

	nanosleep(&ts, 0);
}

/* Read a small /proc file into buf (NUL-terminated); -1 if it is gone. */
int read_file(const char *path, char *buf, size_t size)
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

/*
 * /proc/PID/stat read into buf; a pointer to its ")" after the command name
 * (") S ppid ...": the state at [2]), or 0 if the process is gone.
 */
const char *stat_after_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, size) < 0)
		return 0;
	return strrchr(buf, ')');
}

/* The system call pid sleeps in, from /proc/PID/syscall; -1 if running. */
long sleeping_in(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, 0, 10);
}

/* The CPU time pid has run so far (/proc/PID/schedstat), in ns; -1 if it is gone. */
int64_t cpu_ns(pid_t pid)
{
	char path[64], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, 0, 10);
}

/* The value of a "Name:   N kB" line of a /proc/PID/status text; -1 if absent. */
static long status_kb(const char *status, const char *name)
{
	const char *p = strstr(status, name);

	return p ? strtol(p + strlen(name), 0, 10) : -1;
}

/*
 * pid's resident set and its peak (VmRSS, VmHWM), in kB, from one read of
 * /proc/PID/status, so that both are of the same moment. -1 (and -1 in
 * each) if it is gone.
 */
int memory_kb(pid_t pid, long *rss_kb, long *hwm_kb)
{
	char path[64], buf[4096];

	*rss_kb = *hwm_kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	*rss_kb = status_kb(buf, "\nVmRSS:");
	*hwm_kb = status_kb(buf, "\nVmHWM:");
	return 0;
}

/* A pidfd for pid (pidfd_open(2), which the C library may not wrap). */
int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* The handler of SIGINT, SIGTERM and SIGHUP: noted, acted on at the next check. */
static void on_interrupt(int sig)
{
	interrupted = sig;
}

/*
 * Go down cleanly: SIGINT, SIGTERM and SIGHUP are noted (stop_if_interrupted
 * acts on them), SIGPIPE is ignored, the parent's death sends SIGTERM;
 * clean_up(arg) runs on the way out of an interrupt or a failure.
 */
void catch_interrupts(void (*clean_up)(void *), void *arg)
{
	struct sigaction act = { .sa_handler = on_interrupt };

	registered_clean_up = clean_up;
	registered_arg = arg;
	sigemptyset(&act.sa_mask);
	sigaction(SIGINT, &act, 0);
	sigaction(SIGTERM, &act, 0);
	sigaction(SIGHUP, &act, 0);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/* After an interrupt: clean up and exit 128 + its number. */
void stop_if_interrupted(void)
{
	if (interrupted) {
		if (registered_clean_up)
			registered_clean_up(registered_arg);
		_exit(128 + interrupted);
	}
}

/* A failure that ends the run: "E<tab>message" on stdout, clean up, exit 1. */
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;

	printf("E\t");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (registered_clean_up)
		registered_clean_up(registered_arg);
	exit(1);
}
