/*
 * pausekit-driver, messages between the driver and its processes: one
 * message a send on a SOCK_SEQPACKET socket, optionally carrying one fd
 * (SCM_RIGHTS); and the announcement a new process makes of itself,
 * "r PID PID...", its pids from the host's level down. Uses procfs.c.
 */

#include "driver.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Send one message, with fd attached unless it is -1. */
int send_msg(int sock, const char *text, int fd)
{
	struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* One message into text (NUL-terminated); *fd gets a passed fd or -1. */
ssize_t recv_msg(int sock, char *text, size_t size, int *fd)
{
	struct iovec iov = { .iov_base = text, .iov_len = size - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	if (fd)
		*fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	text[n] = 0;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (fd && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return n;
}

/*
 * The calling process's announcement, "r PID PID..." (its pids at every
 * namespace level, the host's first), into text; its length. Just "r"
 * (length 1) when /proc/self/status cannot be read.
 */
int announcement(char *text, size_t size)
{
	pid_t pids[8];
	int i, n = read_nspids("/proc/self/status", pids, 8);
	int len = snprintf(text, size, "r");

	for (i = 0; i < n; i++)
		len += snprintf(text + len, size - len, " %d", (int)pids[i]);
	return len;
}
