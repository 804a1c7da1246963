/*
 * pausekit-driver, set-up: the PID namespace (and --probe, which tries it),
 * pause started in it (init mode: an init and its program), named processes
 * coming to life and being recorded, and the namespace's end.
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

/* Init mode's PATH directory for a failing exec, removed at the end. */
static char exec_dir[64];
static char exec_file[128];

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
 * Fork and exec pause (or an init) with stderr into our pipe; learn its
 * pids. envp 0: the driver's environment. program_fd >= 0: the init
 * mode's program socket, inherited as fd 3.
 */
static void spawn_pause(char **argv, char **envp, int program_fd)
{
	int err[2], report[2];
	char msg[MSG_LEN] = "";
	pid_t pid;
	ssize_t n;

	if (pipe2(err, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("cannot fork pause: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		int out = fcntl(report[1], F_DUPFD_CLOEXEC, 10);
		sigset_t none;
		pid_t pids[8];
		int i, count, len;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, 0);
		dup2(null, 0);
		dup2(null, 1);
		dup2(err[1], 2);
		if (program_fd == 3)
			fcntl(3, F_SETFD, 0);
		else if (program_fd >= 0)
			dup2(program_fd, 3);
		count = read_nspids("/proc/self/status", pids, 8);
		len = snprintf(msg, sizeof(msg), "r");
		for (i = 0; i < count; i++)
			len += snprintf(msg + len, sizeof(msg) - len, " %d", (int)pids[i]);
		if (write(out, msg, len) != len)
			_exit(126);
		if (envp)
			execve(argv[0], argv, envp);
		else
			execv(argv[0], argv);
		dprintf(out, " e %d", errno);
		_exit(127);
	}
	close(err[1]);
	close(report[1]);
	n = read(report[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = 0;
	close(report[0]);
	pause_err_fd = err[0];
	fcntl(pause_err_fd, F_SETFL, O_NONBLOCK);
	if (strstr(msg, " e ")) {
		waitpid(pid, 0, 0);
		die("cannot run %s: %s", argv[0], strerror(atoi(strstr(msg, " e ") + 3)));
	}
	if (!add_proc("pause", -1, msg))
		die("cannot track pause");
}

/* Reference mode: pause alone, with the driver's environment. */
void start_pause(const char *binary)
{
	char *argv[] = { (char *)binary, 0 };

	spawn_pause(argv, 0, -1);
}

/*
 * A failing exec's PATH: an empty directory (nothing found: 127), or one
 * holding the program as a 0644 file (found, not executable: 126).
 */
static void make_exec_dir(enum exec_outcome exec)
{
	int fd;

	snprintf(exec_dir, sizeof(exec_dir), "/tmp/pausekit-exec-XXXXXX");
	if (!mkdtemp(exec_dir))
		die("mkdtemp: %s", strerror(errno));
	if (exec != EXEC_NOT_EXECUTABLE)
		return;
	snprintf(exec_file, sizeof(exec_file), "%s/pausekit-not-executable", exec_dir);
	fd = open(exec_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "#!/bin/sh\n", 10) != 10)
		die("cannot write %s: %s", exec_file, strerror(errno));
	close(fd);
}

/*
 * Init mode: start the init (argv: pause -- PROGRAM, or a peer) with the
 * program's socket as fd 3 and PATH alone in its environment, and record
 * the program (procs[1]) once it announces itself on that socket. A
 * failing exec announces nothing: observe() finds the child in /proc.
 */
void start_init(char **argv, const char *program, enum exec_outcome exec)
{
	static char path[4096 + 6];
	char *envp[] = { path, 0 };
	const char *inherited = getenv("PATH");
	struct proc *p;
	char msg[MSG_LEN];
	int sv[2];

	if (exec != EXEC_OK) {
		make_exec_dir(exec);
		snprintf(path, sizeof(path), "PATH=%s", exec_dir);
	} else {
		snprintf(path, sizeof(path), "PATH=%s",
			 inherited ? inherited : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
	spawn_pause(argv, envp, sv[1]);
	close(sv[1]);

	p = &procs[nprocs++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", program);
	p->sock = sv[0];
	p->pidfd = -1;
	p->unseen = true;
	init_program = p;
	if (exec != EXEC_OK)
		return;

	/* The program announces itself, unless the init dies first. */
	{
		struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
		long deadline = now_ms() + settle_ms;

		while (poll(&pfd, 1, 10) == 0) {
			reap_own_children();
			if (pause_status >= 0)
				return;
			if (now_ms() > deadline)
				die("the program %s did not start", program);
		}
		if (recv_msg(p->sock, msg, sizeof(msg), 0) <= 1 || msg[0] != 'r' ||
		    !adopt(p, (pid_t)atol(msg + 2)))
			die("the program %s did not start", program);
	}
}

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
	if (exec_file[0])
		unlink(exec_file);
	if (exec_dir[0])
		rmdir(exec_dir);
	if (mode == MODE_PLAIN) /* we are the namespace's init: exiting is enough */
		return;
	if (!check_gone(pause_proc))
		proc_signal(pause_proc, SIGKILL);
	while (waitpid(-1, 0, 0) > 0 || errno == EINTR)
		;
}
