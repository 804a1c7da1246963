/*
 * soak: the load half of `pausekit soak`. It starts one pause as PID 1 of a
 * fresh PID namespace, makes it adopt orphans in waves, storms it with
 * signals while orphans keep coming, then ends it with SIGTERM. Node
 * (src/soak/) plans nothing here but the sizes, and judges every figure;
 * this program forks, signals and reads /proc, so that no garbage collector
 * sits between the orphans and pause.
 *
 *   soak PAUSE ORPHANS WAVES SENDERS STORM_MS SEED REAP_TIMEOUT_MS
 *
 * Each wave is forked by a helper that enters pause's namespace and exits,
 * so its children are reparented to pause. Four kinds, in turn:
 *
 *   burst    n children block on a pipe; closing it makes all exit at once
 *   zombies  n children exit at once and are left unreaped: the helper's
 *            exit hands pause n zombies together (a SIGCHLD each, coalesced)
 *   chain    a chain n deep, each link the child of the last, released at
 *            once: as each link dies its child is reparented to pause
 *   stopped  n children stop themselves (SIGSTOP), are adopted stopped, and
 *            are continued from outside (SIGCONT to their group); pause,
 *            with SA_NOCLDSTOP, hears nothing until they exit
 *
 * A wave ends when every orphan has exited (a pipe each holds reaches end of
 * file); then pause must reap the last of them (its children list empty)
 * within REAP_TIMEOUT_MS. Answers on stdout, one line each, tab-separated:
 *
 *   S <pause pid> <vmrss kB> <cpu ticks> <cpu ns>   pause is ready
 *   W <i> <kind> <n> <storm 0|1> <ns> <reap lag ns> <children left> <zombies left>
 *     <vmrss kB> <vmhwm kB> <cpu ticks> <cpu ns>       one wave, pause idle after it
 *   T <senders> <signals sent> <ns>             the storm, once it stopped
 *   A <children left>                           pause after the storm, alive
 *   X <wait status> <SIGTERM to exit ns> <stderr, hex>   the end
 *   E <message>                                 a failure: the run stops
 *
 * cpu ticks: utime + stime of /proc/PID/stat (USER_HZ); cpu ns: the run time
 * of /proc/PID/schedstat. Nothing is left behind: pause is killed (SIGKILL
 * from outside the namespace is always delivered) and with it everything in
 * its namespace; the storm's senders die with this program
 * (PR_SET_PDEATHSIG), which goes down cleanly on SIGINT, SIGTERM and SIGHUP.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WAVE 20000             /* orphans in one wave (host pid_max is often 32768) */
#define MAX_SENDERS 64
#define READY_TIMEOUT_NS 5000000000LL
#define EXIT_TIMEOUT_NS 60000000000LL /* a wave's orphans all exit within this */
#define TERM_TIMEOUT_MS 10000
#define POLL_PAUSE_NS 50000L

enum kind { BURST, ZOMBIES, CHAIN, STOPPED, KINDS };
static const char *const kind_name[KINDS] = { "burst", "zombies", "chain", "stopped" };

static volatile sig_atomic_t interrupted;
static pid_t pause_pid = -1; /* host pid */
static int own_pid_ns = -1, pause_pid_ns = -1;
static long reap_timeout_ms;

/* What the storm's senders share with this program. */
static struct storm {
	volatile int stop;
	volatile long sent[MAX_SENDERS];
} *storm;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void poll_pause(void)
{
	struct timespec ts = { 0, POLL_PAUSE_NS };

	nanosleep(&ts, 0);
}

static void on_interrupt(int sig)
{
	interrupted = sig;
}

/* Kill pause (and so its whole namespace) and every child of ours. */
static void clean_up(void)
{
	if (storm)
		storm->stop = 1;
	if (pause_pid > 0)
		kill(pause_pid, SIGKILL);
	while (waitpid(-1, 0, __WALL) > 0 || errno == EINTR)
		;
}

static __attribute__((noreturn)) void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static __attribute__((noreturn)) void fail(const char *fmt, ...)
{
	va_list ap;

	printf("E\t");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	clean_up();
	exit(1);
}

static void stop_if_interrupted(void)
{
	if (interrupted) {
		clean_up();
		_exit(128 + interrupted);
	}
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

/* The value of a "Name:   N kB" line of /proc/PID/status; -1 if absent. */
static long status_kb(pid_t pid, const char *name)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, name)))
		return -1;
	return strtol(p + strlen(name), 0, 10);
}

/* utime + stime of pid, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
static long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	long utime, stime;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return -1;
	/* ") S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime" */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime) != 2)
		return -1;
	return utime + stime;
}

/* The CPU time pid has run, in ns (/proc/PID/schedstat). */
static long long cpu_ns(pid_t pid)
{
	char path[64], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, 0, 10);
}

/* The state letter of pid (R, S, T, Z...), or 0 if it is gone. */
static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return 0;
	return p[2];
}

/*
 * pause's children (zombies included), from /proc/PID/task/PID/children;
 * with zombies, how many of them are zombies. -1 if it cannot be read (a
 * kernel without CONFIG_PROC_CHILDREN).
 */
static long children_of_pause(long *zombies)
{
	char path[64];
	FILE *f;
	long n = 0;
	int child;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pause_pid, pause_pid);
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

/* The system call pid sleeps in, from /proc/PID/syscall; -1 if running. */
static long sleeping_in(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, 0, 10);
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
static void start_pause(const char *path, int *err)
{
	int pipefd[2], devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int64_t deadline = now_ns() + READY_TIMEOUT_NS;
	char ns[64];

	if (devnull < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		fail("cannot open /dev/null or a pipe: %s", strerror(errno));
	pause_pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (pause_pid < 0)
		fail("cannot start pause in a new PID namespace: %s", strerror(errno));
	if (pause_pid == 0) {
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
	while (!is_waiting_call(sleeping_in(pause_pid))) {
		int status;

		stop_if_interrupted();
		if (waitpid(pause_pid, &status, WNOHANG) == pause_pid) {
			pause_pid = -1;
			fail("pause %s exited while starting (wait status %d)", path, status);
		}
		if (now_ns() > deadline)
			fail("pause %s not waiting for signals after 5 s", path);
		poll_pause();
	}
	snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", pause_pid);
	pause_pid_ns = open(ns, O_RDONLY | O_CLOEXEC);
	if (pause_pid_ns < 0)
		fail("cannot open %s: %s", ns, strerror(errno));
}

/*
 * Fork a process into pause's namespace (its parent stays us). In the
 * child: only the fds in keep[] survive, renumbered 3, 4, 5...
 */
static pid_t fork_inside(const int *keep, int n_keep)
{
	pid_t pid;
	int i, copy[8];

	if (setns(pause_pid_ns, CLONE_NEWPID) < 0)
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
	if (setns(own_pid_ns, CLONE_NEWPID) < 0)
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
static int reap(pid_t pid)
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
static void wave(long index, enum kind kind, long n, int stormy)
{
	int done[2], release[2], failed[2], keep[3], status;
	int64_t t0, exited, reaped, deadline;
	long left = 0, zombies = 0;
	char byte;
	pid_t pid;

	if (pipe2(done, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0 ||
	    pipe2(failed, O_CLOEXEC | O_NONBLOCK) < 0)
		fail("cannot make a wave's pipes: %s", strerror(errno));
	keep[0] = done[1];
	keep[1] = release[0];
	keep[2] = failed[1];
	t0 = now_ns();
	pid = fork_inside(keep, 3);
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
	deadline = exited + reap_timeout_ms * 1000000LL;
	for (;;) {
		stop_if_interrupted();
		left = children_of_pause(0);
		if (left < 0)
			fail("cannot read /proc/%d/task/%d/children (CONFIG_PROC_CHILDREN)", pause_pid, pause_pid);
		if (left == 0 || now_ns() > deadline)
			break;
		poll_pause();
	}
	reaped = now_ns();
	if (left > 0)
		children_of_pause(&zombies);
	printf("W\t%ld\t%s\t%ld\t%d\t%lld\t%lld\t%ld\t%ld\t%ld\t%ld\t%ld\t%lld\n", index, kind_name[kind], n,
	       stormy, (long long)(reaped - t0), (long long)(reaped - exited), left, zombies,
	       status_kb(pause_pid, "\nVmRSS:"), status_kb(pause_pid, "\nVmHWM:"),
	       cpu_ticks(pause_pid), cpu_ns(pause_pid));
}

/* Every signal a process can catch, except INT and TERM, which end pause. */
static int storm_signals(int *out)
{
	int n = 0, sig;

	for (sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGINT && sig != SIGTERM)
			out[n++] = sig;
	return n;
}

/* One sender: every storm signal in turn to target, until told to stop. */
static __attribute__((noreturn)) void sender(int slot, pid_t target)
{
	int sigs[64], n = storm_signals(sigs), i = 0;
	long sent = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close_range(3, ~0U, 0);
	while (!storm->stop) {
		int k;

		for (k = 0; k < 64; k++) {
			kill(target, sigs[i]);
			if (++i == n)
				i = 0;
		}
		sent += 64;
		storm->sent[slot] = sent;
	}
	_exit(0);
}

/* xorshift64: the one source of the wave sizes' variety. */
static uint64_t rng;
static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A wave size around base: from half of it to one and a half times. */
static long vary(long base)
{
	long n = base / 2 + (long)(next_random() % (uint64_t)(base + 1));

	return n < 1 ? 1 : n > MAX_WAVE ? MAX_WAVE : n;
}

static long parse(const char *text, const char *what, long min)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (*text == 0 || *end != 0 || v < min) {
		fprintf(stderr, "soak: %s: expected an integer >= %ld, got \"%s\"\n", what, min, text);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct sigaction act = { .sa_handler = on_interrupt };
	long orphans, waves, senders, storm_ms, base, pair = 0, i, index = 0;
	pid_t sender_pid[MAX_SENDERS];
	int err = -1, status;
	int64_t t0, t1, storm_end;
	char buf[256];
	ssize_t got;

	if (argc != 8) {
		fprintf(stderr, "usage: soak PAUSE ORPHANS WAVES SENDERS STORM_MS SEED REAP_TIMEOUT_MS\n");
		return 2;
	}
	orphans = parse(argv[2], "ORPHANS", 1);
	waves = parse(argv[3], "WAVES", 1);
	senders = parse(argv[4], "SENDERS", 0);
	storm_ms = parse(argv[5], "STORM_MS", 0);
	rng = (uint64_t)parse(argv[6], "SEED", 0) * 2654435761ULL + 1;
	reap_timeout_ms = parse(argv[7], "REAP_TIMEOUT_MS", 1);
	base = orphans / waves;
	if (waves > orphans || senders > MAX_SENDERS || base * 3 / 2 > MAX_WAVE) {
		fprintf(stderr, "soak: need WAVES <= ORPHANS, ORPHANS/WAVES <= %d, SENDERS <= %d\n",
			MAX_WAVE * 2 / 3, MAX_SENDERS);
		return 2;
	}

	sigemptyset(&act.sa_mask);
	sigaction(SIGINT, &act, 0);
	sigaction(SIGTERM, &act, 0);
	sigaction(SIGHUP, &act, 0);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	setvbuf(stdout, 0, _IOLBF, 0);
	storm = mmap(0, sizeof(*storm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (storm == MAP_FAILED || own_pid_ns < 0) {
		storm = 0;
		fail("cannot map the storm's counters or open /proc/self/ns/pid: %s", strerror(errno));
	}

	start_pause(argv[1], &err);
	printf("S\t%d\t%ld\t%ld\t%lld\n", pause_pid, status_kb(pause_pid, "\nVmRSS:"),
	       cpu_ticks(pause_pid), cpu_ns(pause_pid));

	/*
	 * The waves: every kind in turn, sizes varied around the mean in pairs
	 * (one wave d above it, the next d below), so that they add up exactly.
	 */
	for (i = 0; i < waves; i++) {
		long n = base + (i < orphans % waves), d = vary(base) - base;

		if (i % 2 == 0 && i + 1 < waves)
			pair = d;
		else if (i % 2 == 1)
			d = -pair;
		else
			d = 0;
		wave(index++, (enum kind)(i % KINDS), n + d, 0);
	}

	/* The storm: senders inside the namespace and out, waves meanwhile. */
	if (senders > 0 && storm_ms > 0) {
		for (i = 0; i < senders; i++) {
			sender_pid[i] = i % 2 ? fork_inside(0, 0) : fork();
			if (sender_pid[i] < 0)
				fail("cannot fork a sender: %s", strerror(errno));
			if (sender_pid[i] == 0)
				sender((int)i, i % 2 ? 1 : pause_pid);
		}
		t0 = now_ns();
		storm_end = t0 + storm_ms * 1000000LL;
		do {
			wave(index, (enum kind)(index % KINDS), vary(base), 1);
			index++;
		} while (now_ns() < storm_end);
		storm->stop = 1;
		t1 = now_ns();
		for (i = 0; i < senders; i++)
			reap(sender_pid[i]);
		{
			long total = 0;

			for (i = 0; i < senders; i++)
				total += storm->sent[i];
			printf("T\t%ld\t%ld\t%lld\n", senders, total, (long long)(t1 - t0));
		}
		if (waitpid(pause_pid, &status, WNOHANG) != 0) {
			pause_pid = -1;
			fail("pause ended during the storm (wait status %d)", status);
		}
		printf("A\t%ld\n", children_of_pause(0));
	}

	/* The end: SIGTERM from outside, and what pause said. */
	t0 = now_ns();
	if (kill(pause_pid, SIGTERM) < 0)
		fail("cannot send SIGTERM to pause: %s", strerror(errno));
	{
		int pidfd = (int)syscall(SYS_pidfd_open, pause_pid, 0);
		struct pollfd pf = { pidfd, POLLIN, 0 };

		if (pidfd < 0 || poll(&pf, 1, TERM_TIMEOUT_MS) != 1)
			fail("pause did not exit within %d ms of SIGTERM", TERM_TIMEOUT_MS);
		close(pidfd);
	}
	t1 = now_ns();
	status = reap(pause_pid);
	pause_pid = -1;
	printf("X\t%d\t%lld\t", status, (long long)(t1 - t0));
	while ((got = read(err, buf, sizeof(buf))) > 0)
		for (i = 0; i < got; i++)
			printf("%02x", (unsigned char)buf[i]);
	printf("\n");
	clean_up();
	return 0;
}
