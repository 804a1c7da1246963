/*
 * pausekit-driver, starting pause in the namespace: the reference pause, or
 * in init mode an init (pause or a peer) whose program is this driver's
 * named-process code, or a program exec cannot run. Uses procs.c, msg.c,
 * procfs.c and fail.c.
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

/*
 * What pause starts with (--ignore, --block): those signals at SIG_IGN, and
 * its mask, in the child about to exec it (exec keeps both). The rest at
 * SIG_DFL, as the driver's own dispositions are.
 */
static void inherit(const struct driver *d)
{
	sigset_t mask;
	int sig;

	sigemptyset(&mask);
	for (sig = 1; sig <= 64; sig++) {
		if (d->inherit_ignored & SIGBIT(sig))
			signal(sig, SIG_IGN);
		if (d->inherit_blocked & SIGBIT(sig))
			sigaddset(&mask, sig);
	}
	sigprocmask(SIG_SETMASK, &mask, 0);
}

/*
 * Fork and exec pause (or an init) with stderr into our pipe; learn its
 * pids. envp 0: the driver's environment. program_fd >= 0: the init
 * mode's program socket, inherited as fd 3.
 */
static void spawn_pause(struct driver *d, char **argv, char **envp, int program_fd)
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
		int len;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		inherit(d);
		dup2(null, 0);
		dup2(null, 1);
		dup2(err[1], 2);
		if (program_fd == 3)
			fcntl(3, F_SETFD, 0);
		else if (program_fd >= 0)
			dup2(program_fd, 3);
		len = announcement(msg, sizeof(msg));
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
	d->pause_err_fd = err[0];
	fcntl(d->pause_err_fd, F_SETFL, O_NONBLOCK);
	if (strstr(msg, " e ")) {
		waitpid(pid, 0, 0);
		die("cannot run %s: %s", argv[0], strerror(atoi(strstr(msg, " e ") + 3)));
	}
	if (!procs_add(&d->procs, "pause", -1, msg))
		die("cannot track pause");
}

/* Reference mode: pause alone, with the driver's environment. */
void start_pause(struct driver *d, const char *binary)
{
	char *argv[] = { (char *)binary, 0 };

	spawn_pause(d, argv, 0, -1);
}

/*
 * A failing exec's PATH: an empty directory (nothing found: 127; a name
 * too long to look up, 126, looks at none), one holding the program as a
 * 0644 file (found, not executable: 126), or as a directory (126).
 */
static void make_exec_dir(enum exec_outcome exec)
{
	int fd;

	snprintf(exec_dir, sizeof(exec_dir), "/tmp/pausekit-exec-XXXXXX");
	if (!mkdtemp(exec_dir))
		die("mkdtemp: %s", strerror(errno));
	on_die(remove_exec_dir);
	if (exec == EXEC_DIRECTORY) {
		snprintf(exec_file, sizeof(exec_file), "%s/pausekit-directory", exec_dir);
		if (mkdir(exec_file, 0755) < 0)
			die("cannot make %s: %s", exec_file, strerror(errno));
		return;
	}
	if (exec != EXEC_NOT_EXECUTABLE)
		return;
	snprintf(exec_file, sizeof(exec_file), "%s/pausekit-not-executable", exec_dir);
	fd = open(exec_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "#!/bin/sh\n", 10) != 10)
		die("cannot write %s: %s", exec_file, strerror(errno));
	close(fd);
}

/*
 * Init mode's environment: PATH alone (an empty directory's, or one holding
 * the program as a 0644 file, for a failing exec) and the sanitizers'
 * options, when the driver has them: the program is this driver, built
 * with them by `make asan`, and must take signals as the scenario says, not
 * as ASan's own handlers would. envp has room for three and the end.
 */
static void init_environment(char **envp, enum exec_outcome exec)
{
	static char path[4096 + 6];
	static const char *const passed[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS" };
	const char *inherited = getenv("PATH");
	size_t i, n = 0;

	if (exec != EXEC_OK) {
		make_exec_dir(exec);
		snprintf(path, sizeof(path), "PATH=%s", exec_dir);
	} else {
		snprintf(path, sizeof(path), "PATH=%s",
			 inherited ? inherited : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	}
	envp[n++] = path;
	for (i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		char *value = getenv(passed[i]);

		if (value)
			envp[n++] = value - strlen(passed[i]) - 1; /* NAME=value as environ holds it */
	}
	envp[n] = 0;
}

/* The program announces itself on its socket, unless the init dies first. */
static void wait_for_program(struct driver *d, const struct proc *p, const char *program)
{
	struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
	long deadline = now_ms() + d->settle_ms;
	char msg[MSG_LEN];

	while (poll(&pfd, 1, 10) == 0) {
		procs_reap_own(&d->procs);
		if (d->procs.pause_status >= 0)
			return;
		if (now_ms() > deadline)
			die("the program %s did not start", program);
	}
	if (recv_msg(p->sock, msg, sizeof(msg), 0) <= 1 || msg[0] != 'r' ||
	    !procs_adopt(&d->procs, p, (pid_t)atol(msg + 2)))
		die("the program %s did not start", program);
}

/*
 * Init mode: start the init (argv: pause -- PROGRAM, or a peer) with the
 * program's socket as fd 3 and init_environment()'s environment, and record
 * the program (entry 1) once it announces itself on that socket. A
 * failing exec announces nothing: observe() finds the child in /proc.
 */
void start_init(struct driver *d, char **argv, const char *program, enum exec_outcome exec)
{
	char *envp[4];
	const struct proc *p;
	int sv[2], sig;

	init_environment(envp, exec);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
	spawn_pause(d, argv, envp, sv[1]);
	close(sv[1]);

	p = procs_add_unseen(&d->procs, program, sv[0]);
	for (sig = 1; sig <= 64; sig++) /* the program starts with them blocked too */
		if (d->inherit_blocked & SIGBIT(sig))
			procs_set_disposition(&d->procs, p, sig, 'b');
	if (exec == EXEC_OK)
		wait_for_program(d, p, program);
}

/* Remove init mode's PATH directory for a failing exec, if there is one. */
void remove_exec_dir(void)
{
	if (exec_file[0] && unlink(exec_file) < 0)
		rmdir(exec_file); /* the directory program's */
	if (exec_dir[0])
		rmdir(exec_dir);
}
