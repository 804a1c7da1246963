/*
 * pausekit-driver, set-up: the PID namespace (and --probe, which tries it),
 * named processes coming to life and being recorded, and the namespace's
 * end. Starting pause (or an init and its program) is start.c.
 */

#include "driver.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

/* Write a whole buffer to a file in /proc (uid_map and friends). */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * The pids of the calling process at every namespace level, from the
 * "NSpid:" line of /proc/self/status (the host's /proc: level 0 first).
 */
int read_nspids(const char *path, pid_t *pids, int max)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *line, *end;
	int count = 0;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	line = strstr(buf, "NSpid:");
	if (!line)
		return -1;
	line += 6;
	while (count < max) {
		long v = strtol(line, &end, 10);

		if (end == line)
			break;
		pids[count++] = (pid_t)v;
		line = end;
	}
	return count;
}

/* ------------------------------------------------------------------------ */
/* The namespace                                                             */
/* ------------------------------------------------------------------------ */

/*
 * Make the next fork land in a fresh PID namespace. As root (or with
 * CAP_SYS_ADMIN) directly; otherwise inside a new user namespace that maps
 * us to root. Returns "root", "userns", or 0 with errno set.
 */
const char *enter_pid_namespace(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWPID) == 0)
		return "root";
	if (unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
		return 0;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return 0;
	write_file("/proc/self/setgroups", "deny\n");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	write_file("/proc/self/gid_map", map);
	return "userns";
}

/*
 * --probe: try the whole trick (namespace, a fork into it) in a child, so
 * the runner learns whether kernel scenarios can run here, and how.
 */
int probe(void)
{
	int fds[2];
	char answer[256] = "";
	pid_t pid;
	ssize_t n;

	if (pipe(fds) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		const char *how = enter_pid_namespace();
		pid_t inner;
		int status;

		close(fds[0]);
		if (!how) {
			dprintf(fds[1], "no cannot create a PID namespace (%s): "
				"run as root, or allow unprivileged user namespaces",
				strerror(errno));
			_exit(0);
		}
		inner = fork();
		if (inner == 0)
			_exit(getpid() == 1 ? 0 : 1);
		if (inner < 0 || waitpid(inner, &status, 0) != inner ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			dprintf(fds[1], "no cannot fork into a new PID namespace");
		else
			dprintf(fds[1], "ok %s", how);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], answer, sizeof(answer) - 1);
	answer[n > 0 ? n : 0] = 0;
	waitpid(pid, 0, 0);
	printf("%s\n", answer[0] ? answer : "no probe failed");
	return 0;
}

/*
 * plain mode: become PID 1 of the new namespace by forking once more. The
 * original process only waits and passes on the exit status; its death
 * (pdeathsig) takes the inner one, and with it the namespace, along.
 */
void become_namespace_init(void)
{
	pid_t inner = fork();
	int status;

	if (inner < 0)
		die("cannot fork into the PID namespace: %s", strerror(errno));
	if (inner == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		return;
	}
	close(0);
	while (waitpid(inner, &status, 0) < 0 && errno == EINTR)
		;
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* ------------------------------------------------------------------------ */
/* Processes: pause, and named processes coming to life                      */
/* ------------------------------------------------------------------------ */

/*
 * Track a process the driver did not start itself (the init's program) by
 * its host pid: its pids at every level, a pidfd. False if it is gone.
 */
bool adopt(struct proc *p, pid_t host_pid)
{
	char path[64];
	pid_t pids[8];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)host_pid);
	n = read_nspids(path, pids, 8);
	if (n <= self_level)
		return false;
	p->pidfd = pidfd_open(pids[self_level]);
	if (p->pidfd < 0)
		return false;
	p->host_pid = pids[0];
	p->view_pid = pids[self_level];
	p->ns_pid = pids[n - 1];
	p->unseen = false;
	return true;
}

/*
 * A fresh named process: its socket on fd 3, nothing else inherited but
 * stderr, default dispositions (SIGCHLD with SA_NOCLDSTOP: a stopped or
 * continued child sends nothing), an empty signal mask, and (if it reaps) a
 * SIGCHLD signalfd. Then it announces its pids and obeys.
 */
__attribute__((noreturn)) void named_start(int sock, bool reaps)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	pid_t pids[8];
	char msg[MSG_LEN];
	int null, i, n, len;

	if (sock != 3 && dup2(sock, 3) < 0)
		_exit(120);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	close_range(4, ~0U, 0);
	sigemptyset(&dfl.sa_mask);
	for (i = 1; i < NSIG; i++) {
		dfl.sa_flags = i == SIGCHLD ? SA_NOCLDSTOP : 0;
		sigaction(i, &dfl, 0); /* SIGKILL, SIGSTOP and libc's own refuse */
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, 0);

	n = read_nspids("/proc/self/status", pids, 8);
	if (n <= 0)
		_exit(121);
	len = snprintf(msg, sizeof(msg), "r");
	for (i = 0; i < n; i++)
		len += snprintf(msg + len, sizeof(msg) - len, " %d", (int)pids[i]);
	if (send_msg(3, msg, -1) < 0)
		_exit(122);
	named_main(3, reaps);
}

/* Wait for a new process's announcement on its socket. */
int wait_ready(int sock, char *msg, size_t size)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	long deadline = now_ms() + settle_ms;

	while (poll(&pfd, 1, 10) == 0) {
		reap_own_children();
		if (now_ms() > deadline)
			return -1;
	}
	return recv_msg(sock, msg, size, 0) > 1 && msg[0] == 'r' ? 0 : -1;
}

/* Record a new process from its "r PID..." announcement; returns it. */
struct proc *add_proc(const char *name, int sock, const char *ready)
{
	struct proc *p = &procs[nprocs];
	pid_t pids[8];
	int n = 0;
	char *end;
	const char *s = ready + 1;

	while (n < 8) {
		long v = strtol(s, &end, 10);

		if (end == s)
			break;
		pids[n++] = (pid_t)v;
		s = end;
	}
	if (n <= self_level)
		return 0;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->host_pid = pids[0];
	p->view_pid = pids[self_level];
	p->ns_pid = pids[n - 1];
	p->pidfd = pidfd_open(p->view_pid);
	p->sock = sock;
	if (p->pidfd < 0 && errno != ENOSYS) /* ENOSYS: signalled by pid (proc_signal) */
		return 0;
	nprocs++;
	return p;
}

/* ------------------------------------------------------------------------ */
/* The end                                                                   */
/* ------------------------------------------------------------------------ */

/* Stdin closed or "quit": kill pause's namespace and reap everything. */
void cleanup(void)
{
	remove_exec_dir();
	if (mode == MODE_PLAIN) /* we are the namespace's init: exiting is enough */
		return;
	if (!check_gone(pause_proc))
		proc_signal(pause_proc, SIGKILL);
	while (waitpid(-1, 0, 0) > 0 || errno == EINTR)
		;
}
