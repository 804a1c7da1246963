/*
 * autoreap-probe: can an init let the kernel reap (SIGCHLD at SIG_IGN) and
 * still learn its program's exit status? That decides whether init mode can
 * reap the autoreap way. A child whose exit signal is not SIGCHLD keeps its
 * status (kernel/exit.c: do_notify_parent() releases only a child that
 * signals SIGCHLD to a parent ignoring it). This probe measures the ways an
 * init could use that, each with a program that exits 3:
 *
 *   clone-no-exec   clone() with exit signal 0, the child _exit(3)s at once
 *   clone-exec      the same, but the child execve()s a shell that exits 3:
 *                   execve() resets the exit signal to SIGCHLD (fs/exec.c),
 *                   so the kernel releases it and its status is gone
 *   pidfd-info      clone(CLONE_PIDFD) and exec as a real init would; the
 *                   status read from the pidfd once it is readable, with
 *                   ioctl(PIDFD_GET_INFO, PIDFD_INFO_EXIT) (Linux 6.15+),
 *                   which keeps it after the process is released
 *
 * One line each: `<way> kept <code>`, `<way> lost <errno name>` or
 * `<way> unsupported <errno name>`. Then `zombies <n>`: the zombies left
 * among the probe's children (0: the kernel reaped every one). Exit 0 unless
 * a system call the probe itself needs fails (1). Needs /bin/sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/*
 * include/uapi/linux/pidfd.h, Linux 6.15: struct pidfd_info (64 bytes in its
 * first version) begins with the u64 mask and has the i32 exit_code at byte
 * 60; the probe reads those two and nothing else.
 */
#define PIDFD_INFO_SIZE 64
#define PIDFD_INFO_EXIT_CODE 60
#define PIDFD_GET_INFO _IOWR(0xFF, 11, unsigned char[PIDFD_INFO_SIZE])
#define PIDFD_INFO_EXIT (1UL << 3)

static const char *errno_name(int e)
{
	switch (e) {
	case ECHILD: return "ECHILD";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ESRCH: return "ESRCH";
	case ENOSYS: return "ENOSYS";
	default: return strerror(e);
	}
}

/* clone() with no new stack (fork-like); flags carry the exit signal. */
static pid_t clone_with(unsigned long flags, int *pidfd)
{
#if defined(__s390x__)
	return (pid_t)syscall(SYS_clone, 0, flags, pidfd, 0, 0);
#else
	return (pid_t)syscall(SYS_clone, flags, 0, pidfd, 0, 0);
#endif
}

static void program(int exec)
{
	if (exec)
		execl("/bin/sh", "sh", "-c", "exit 3", (char *)0);
	_exit(3);
}

/* clone with exit signal 0, then wait4(__WALL) for it: kept or lost. */
static int by_exit_signal(const char *way, int exec)
{
	int status = 0;
	pid_t pid = clone_with(0, 0), got;

	if (pid < 0)
		return 1;
	if (pid == 0)
		program(exec);
	got = wait4(pid, &status, __WALL, 0);
	if (got == pid && WIFEXITED(status))
		printf("%s kept %d\n", way, WEXITSTATUS(status));
	else
		printf("%s lost %s\n", way, got < 0 ? errno_name(errno) : "status");
	return 0;
}

/* clone(CLONE_PIDFD) and exec; the status from PIDFD_GET_INFO. */
static int by_pidfd_info(void)
{
	unsigned char info[PIDFD_INFO_SIZE];
	uint64_t mask = PIDFD_INFO_EXIT;
	int32_t code;
	struct pollfd p = { .events = POLLIN };
	int pidfd = -1;
	pid_t pid = clone_with(CLONE_PIDFD | SIGCHLD, &pidfd);

	if (pid < 0)
		return 1;
	if (pid == 0)
		program(1);
	p.fd = pidfd;
	if (poll(&p, 1, -1) != 1)
		return 1;
	memset(info, 0, sizeof(info));
	memcpy(info, &mask, sizeof(mask));
	if (ioctl(pidfd, PIDFD_GET_INFO, info) < 0) {
		printf("pidfd-info unsupported %s\n", errno_name(errno));
		close(pidfd);
		return 0;
	}
	memcpy(&mask, info, sizeof(mask));
	memcpy(&code, info + PIDFD_INFO_EXIT_CODE, sizeof(code));
	if (!(mask & PIDFD_INFO_EXIT))
		printf("pidfd-info unsupported no-exit-info\n");
	else if (WIFEXITED(code))
		printf("pidfd-info kept %d\n", WEXITSTATUS(code));
	else
		printf("pidfd-info lost status\n");
	close(pidfd);
	return 0;
}

int main(void)
{
	int zombies = 0, status;

	if (signal(SIGCHLD, SIG_IGN) == SIG_ERR)
		return 1;
	if (by_exit_signal("clone-no-exec", 0) || by_exit_signal("clone-exec", 1) || by_pidfd_info())
		return 1;
	while (waitpid(-1, &status, __WALL | WNOHANG) > 0)
		zombies++;
	printf("zombies %d\n", zombies);
	return 0;
}
