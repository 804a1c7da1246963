/*
 * pausekit-driver, the PID namespace: making the next fork land in a fresh
 * one (and --probe, which tries it), and plain mode's inner init. Uses
 * fail.c.
 */

#include "driver.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

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
