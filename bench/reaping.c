/*
 * harness, the reaping sample: a program as PID 1 adopts n orphans, which
 * are released together; how long it takes to reap them, and what that
 * costs the init. Uses launch.c and common.c.
 */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define REAP_TIMEOUT_NS 60000000000LL

/*
 * The init's context switches so far, from /proc/PID/status: voluntary (it
 * blocked, in its wait or elsewhere) and involuntary (it was preempted).
 * -1 if it is gone.
 */
static int context_switches(pid_t pid, long long *voluntary, long long *involuntary)
{
	char path[64], buf[4096], *v, *i;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof(buf)) < 0 ||
	    !(v = strstr(buf, "\nvoluntary_ctxt_switches:")) ||
	    !(i = strstr(buf, "\nnonvoluntary_ctxt_switches:")))
		return -1;
	*voluntary = strtoll(v + strlen("\nvoluntary_ctxt_switches:"), 0, 10);
	*involuntary = strtoll(i + strlen("\nnonvoluntary_ctxt_switches:"), 0, 10);
	return 0;
}

/* Whether pid is blocked (state S) in one of its ready system calls. */
static int asleep_ready(const struct program *p, pid_t pid)
{
	char buf[512];
	const char *s = stat_after_comm(pid, buf, sizeof(buf));

	if (!s || s[2] != 'S')
		return 0;
	return in_set(sleeping_in(pid), p->ready, p->n_ready);
}

/* Poll until pid sleeps in its wait; -1 after READY_TIMEOUT_NS. */
static int wait_asleep(const struct program *p, pid_t pid)
{
	int64_t deadline = now_ns() + READY_TIMEOUT_NS;

	while (!asleep_ready(p, pid)) {
		stop_if_interrupted();
		if (now_ns() > deadline)
			return -1;
		poll_pause(POLL_PAUSE_NS);
	}
	return 0;
}

/*
 * One orphan: hand the harness a pidfd for itself (readable once the orphan
 * exits, POLLHUP once it is reaped), then block until released.
 */
static void orphan(uint32_t index, int sock, const int release[2])
{
	int pidfd;
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &index, sizeof(index) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	char byte;

	close(release[1]);
	pidfd = pidfd_open(getpid());
	if (pidfd < 0)
		_exit(1);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &pidfd, sizeof(int));
	if (sendmsg(sock, &msg, 0) < 0)
		_exit(1);
	close(pidfd);
	while (read(release[0], &byte, 1) < 0)
		;
	_exit(0);
}

/* Fork n orphans-to-be, then exit so that the namespace's init adopts them. */
static void make_orphans(int devnull, long n, int sock, const int release[2])
{
	long i;

	dup2(devnull, 0);
	dup2(devnull, 1);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			_exit(1);
		if (pid == 0)
			orphan((uint32_t)i, sock, release);
	}
	_exit(0);
}

/* Receive one pidfd and the orphan's index; -1 after the deadline. */
static int receive_pidfd(int sock, int64_t deadline, uint32_t *index)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { index, sizeof(*index) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control, .msg_controllen = sizeof(control) };
	struct pollfd pf = { sock, POLLIN, 0 };
	struct cmsghdr *cmsg;
	int fd;

	while (poll(&pf, 1, 100) <= 0) {
		stop_if_interrupted();
		if (now_ns() > deadline)
			return -1;
	}
	if (recvmsg(sock, &msg, 0) != sizeof(*index))
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* The pid (in our namespace) a pidfd refers to, from /proc/self/fdinfo. */
static pid_t pid_of_pidfd(int fd)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nPid:")))
		return -1;
	return (pid_t)strtol(p + 5, 0, 10);
}

/* Every orphan sleeps in read() on the release pipe: released together. */
static int orphans_ready(const int *pidfds, long n, int64_t deadline)
{
	long i;

	for (i = 0; i < n; i++) {
		pid_t pid = pid_of_pidfd(pidfds[i]);

		while (sleeping_in(pid) != SYS_read) {
			stop_if_interrupted();
			if (now_ns() > deadline)
				return -1;
			poll_pause(POLL_PAUSE_NS);
		}
	}
	return 0;
}

/*
 * Watch every orphan die and be reaped. A pidfd becomes readable when its
 * process exits and also reports POLLHUP once it is reaped; edge-triggered,
 * each transition is seen once. Both moments are taken by this same
 * observer, so the lag between them carries the same delay on each side.
 * 0 when all are reaped, with the times of the last exit and last reap.
 */
static int all_reaped(const int *pidfds, long n, int64_t deadline, int64_t *last_exit,
		      int64_t *last_reap)
{
	struct epoll_event events[256];
	int ep = epoll_create1(EPOLL_CLOEXEC), rc = -1;
	char *exited = calloc((size_t)n, 1);
	long i, reaped = 0;

	if (ep < 0 || !exited)
		goto out;
	for (i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = (uint64_t)i };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, pidfds[i], &ev) < 0)
			goto out;
	}
	while (reaped < n) {
		int got = epoll_wait(ep, events, 256, 100);
		int64_t t = now_ns();

		stop_if_interrupted();
		for (i = 0; i < got; i++) {
			uint64_t k = events[i].data.u64;

			if (!exited[k]) {
				exited[k] = 1;
				*last_exit = t;
			}
			if (events[i].events & EPOLLHUP) {
				reaped++;
				*last_reap = t;
			}
		}
		if (got <= 0 && t > deadline)
			goto out;
	}
	rc = 0;
out:
	free(exited);
	if (ep >= 0)
		close(ep);
	return rc;
}

/* One reaping sample's resources, closed by end_sample(). */
struct sample {
	long n;
	int sv[2];      /* the orphans hand their pidfds over this */
	int release[2]; /* closing release[1] releases them together */
	int ns;         /* the init's PID namespace */
	int *pidfds;    /* one per orphan, by its index */
	long got;       /* pidfds received */
	pid_t init;
	char err[160];
};

/*
 * The init started as PID 1 and ready, a helper forked into its namespace
 * that forks the n orphans and exits, every orphan's pidfd received, every
 * orphan waiting for the release. 0, or why not.
 */
static const char *adopt_orphans(const struct harness *h, const struct program *p, struct sample *s)
{
	int64_t deadline;
	char path[64];
	pid_t helper;
	int status;

	if (!s->pidfds || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s->sv) < 0 ||
	    pipe2(s->release, O_CLOEXEC) < 0)
		return "out of resources";
	s->init = launch(h, p, 1);
	if (s->init < 0 || wait_ready(p, s->init, s->err, sizeof(s->err)) < 0)
		return s->init < 0 ? "cannot start" : s->err;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", s->init);
	s->ns = open(path, O_RDONLY | O_CLOEXEC);
	if (s->ns < 0 || setns(s->ns, CLONE_NEWPID) < 0)
		return "cannot enter the PID namespace";
	helper = fork();
	if (helper == 0)
		make_orphans(h->devnull, s->n, s->sv[1], s->release);
	setns(h->own_pid_ns, CLONE_NEWPID);
	close(s->sv[1]);
	s->sv[1] = -1;
	deadline = now_ns() + REAP_TIMEOUT_NS;
	for (s->got = 0; s->got < s->n; s->got++) {
		uint32_t index = 0;
		int fd = receive_pidfd(s->sv[0], deadline, &index);

		if (fd < 0 || index >= s->n || s->pidfds[index])
			return "orphans did not all start";
		s->pidfds[index] = fd;
	}
	if (helper < 0 || waitpid(helper, &status, 0) != helper || status != 0)
		return "the helper that forks the orphans failed";
	if (orphans_ready(s->pidfds, s->n, deadline) < 0)
		return "orphans not all waiting for release";
	return 0;
}

/*
 * From the release until the init sleeps again in its wait: the R line,
 * or why there is none.
 */
static const char *release_and_measure(const struct program *p, struct sample *s)
{
	int64_t t0, c0, c1, last_exit = 0, last_reap = 0;
	long long v0 = 0, v1 = 0, i0 = 0, i1 = 0;

	if (wait_asleep(p, s->init) < 0 || context_switches(s->init, &v0, &i0) < 0)
		return "the init is not asleep in its wait before the release";
	c0 = cpu_ns(s->init);
	t0 = now_ns();
	close(s->release[1]);
	s->release[1] = -1;
	if (all_reaped(s->pidfds, s->n, t0 + REAP_TIMEOUT_NS, &last_exit, &last_reap) < 0)
		return "orphans left unreaped after 60 s";
	/* Its last drain may still run (the waitpid that finds no child left). */
	if (wait_asleep(p, s->init) < 0 || context_switches(s->init, &v1, &i1) < 0)
		return "the init did not go back to sleep in its wait after the last reap";
	c1 = cpu_ns(s->init);
	printf("R\t%s\t%ld\t%lld\t%lld\t%lld\t%lld\t%lld\n", p->id, s->n, (long long)(last_reap - t0),
	       (long long)(c1 - c0), (long long)(last_reap - last_exit), v1 - v0, i1 - i0);
	return 0;
}

/* Kill what the sample started and close what it opened. */
static void end_sample(struct sample *s)
{
	long i;

	kill_children();
	for (i = 0; i < s->got && s->pidfds; i++)
		if (s->pidfds[i] > 0)
			close(s->pidfds[i]);
	free(s->pidfds);
	if (s->ns >= 0)
		close(s->ns);
	for (i = 0; i < 2; i++) {
		if (s->sv[i] >= 0)
			close(s->sv[i]);
		if (s->release[i] >= 0)
			close(s->release[i]);
	}
}

/*
 * One reaping sample. The program starts as PID 1; a helper forked into its
 * namespace forks n orphans and exits, so the program adopts them; they all
 * block on one pipe, whose closing releases them together. Measured: release
 * to the last reap, the lag between the last orphan's exit and the last
 * reap, and from release until the init sleeps again in its wait: its CPU
 * time and its context switches. It sleeps at both ends, so each voluntary
 * switch in between ends one wake-up from that sleep (or from a sleep
 * elsewhere): the wake-ups; the involuntary ones are preemptions.
 */
void reaping_sample(const struct harness *h, const struct program *p, long n)
{
	struct sample s = { .n = n, .sv = { -1, -1 }, .release = { -1, -1 }, .ns = -1, .init = -1 };
	const char *why;

	s.pidfds = calloc((size_t)n, sizeof(int));
	why = adopt_orphans(h, p, &s);
	if (!why)
		why = release_and_measure(p, &s);
	if (why)
		printf("E\t%s\treaping %ld: %s\n", p->id, n, why);
	end_sample(&s);
}
