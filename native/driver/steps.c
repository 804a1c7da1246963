/*
 * pausekit-driver, the scenario steps: spawn, exit, kill, subreaper and
 * disposition, each carried out by the driver ("outside") or sent to a named
 * process over its socket (named.c is the other end). Uses procs.c,
 * named.c, msg.c, procfs.c, observe.c and fail.c.
 */

#include "driver.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------------ */
/* Talking to a named process                                                */
/* ------------------------------------------------------------------------ */

/* Wait for a new process's announcement on its socket. */
static int wait_ready(struct driver *d, int sock, char *msg, size_t size)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	long deadline = now_ms() + d->settle_ms;

	while (poll(&pfd, 1, 10) == 0) {
		procs_reap_own(&d->procs);
		if (now_ms() > deadline)
			return -1;
	}
	return recv_msg(sock, msg, size, 0) > 1 && msg[0] == 'r' ? 0 : -1;
}

/*
 * Wait until a named process has acknowledged everything sent to it, or has
 * exited (EOF, or its pidfd: the init's program never sees EOF, the init
 * holds its socket too), or is stopped (it acks later, when continued).
 * Returns the errno a failed command reported, 0 if none, -1 on a timeout.
 */
static int wait_ack(struct driver *d, const struct proc *p)
{
	long deadline = now_ms() + d->settle_ms;
	int error = 0;

	while (p->owed > 0 && p->sock >= 0) {
		struct pollfd pfd[2] = {
			{ .fd = p->sock, .events = POLLIN },
			{ .fd = p->gone ? -1 : p->pidfd, .events = POLLIN },
		};
		char msg[MSG_LEN];

		if (poll(pfd, 2, 1) <= 0) {
			procs_reap_own(&d->procs);
			if (read_status(p->host_pid, p->status_fd).state == 'T')
				return error;
			if (now_ms() > deadline)
				return -1;
			continue;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			/* Exited, and nothing left to read. */
			procs_mark_exited(&d->procs, p);
			break;
		}
		if (recv_msg(p->sock, msg, sizeof(msg), 0) <= 0) { /* EOF: it has exited */
			procs_hung_up(&d->procs, p);
			break;
		}
		if (procs_take_message(&d->procs, p, msg) && msg[0] == 'e')
			error = atoi(msg + 2) ? atoi(msg + 2) : EINVAL;
	}
	return error;
}

/* Send a named process one command and wait for its ack (wait_ack's answer). */
static int ask(struct driver *d, const struct proc *p, const char *msg)
{
	send_msg(p->sock, msg, -1);
	procs_sent(&d->procs, p);
	return wait_ack(d, p);
}

/* What a failed ask() says: "no answer" (a timeout) or the errno reported. */
static const char *refusal(int error)
{
	return error < 0 ? "no answer" : strerror(error);
}

/* Can this named process act now (alive, running, not owing acks)? */
static bool can_act(struct driver *d, const struct proc *p)
{
	char state;

	if (p == &d->procs.all[0] || p->unseen || procs_gone(&d->procs, p) || p->sock < 0 ||
	    procs_exited(&d->procs, p))
		return false;
	if (p->owed > 0 && wait_ack(d, p) != 0)
		return false;
	state = read_status(p->host_pid, p->status_fd).state;
	return state && state != 'T' && state != 't' && state != 'Z' && p->owed == 0;
}

/* ------------------------------------------------------------------------ */
/* Steps, as the driver carries them out                                     */
/* ------------------------------------------------------------------------ */

/*
 * A named parent forks the newcomer: it is sent the newcomer's end of the
 * socket pair sv (sv[1]) and acks. 0, or -1 once the failure is reported
 * (both ends closed then).
 */
static int fork_from(struct driver *d, const char *parent, const char *name, bool reaps, int sv[2])
{
	const struct proc *p = procs_find(&d->procs, parent);
	char msg[MSG_LEN];
	int error;

	if (!p || !can_act(d, p)) {
		close(sv[0]);
		close(sv[1]);
		return fail("%s cannot fork %s: not running", parent, name);
	}
	snprintf(msg, sizeof(msg), "f %d", reaps ? 1 : 0);
	error = send_msg(p->sock, msg, sv[1]) < 0 ? EPIPE : 0;
	close(sv[1]);
	procs_sent(&d->procs, p);
	if (!error)
		error = wait_ack(d, p);
	if (error) {
		close(sv[0]);
		return fail("%s cannot fork %s: %s", parent, name, refusal(error));
	}
	return 0;
}

/*
 * "spawn": outside forks the process itself (it lands in the namespace with
 * us as parent, as a shim's child does); a named parent is sent a new socket
 * and forks. Either way the newcomer announces its pids.
 */
int cmd_spawn(struct driver *d, const char *name, const char *parent, bool reaps)
{
	int sv[2];
	char msg[MSG_LEN];

	if (d->procs.count >= MAX_PROCS || procs_find(&d->procs, name) || strlen(name) >= NAME_LEN)
		return fail("cannot spawn %s: name taken or too many processes", name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return fail("socketpair: %s", strerror(errno));
	if (!strcmp(parent, "outside")) {
		pid_t pid = fork();

		if (pid == 0)
			named_start(sv[1], reaps, false);
		close(sv[1]);
		if (pid < 0) {
			close(sv[0]);
			return fail("outside cannot fork %s: %s", name, strerror(errno));
		}
	} else if (fork_from(d, parent, name, reaps, sv) < 0) {
		return -1;
	}
	if (wait_ready(d, sv[0], msg, sizeof(msg)) < 0 || !procs_add(&d->procs, name, sv[0], msg)) {
		close(sv[0]);
		return fail("%s did not start", name);
	}
	return observe(d) ? 0 : -1;
}

/* "exit": the process calls _exit(); its socket's EOF says it is done. */
int cmd_exit(struct driver *d, const char *name, int code)
{
	const struct proc *p = procs_find(&d->procs, name);
	char msg[MSG_LEN];

	if (!p || !can_act(d, p))
		return fail("%s cannot exit: not running", name);
	snprintf(msg, sizeof(msg), "x %d", code);
	if (ask(d, p, msg) < 0)
		return fail("%s did not exit", name);
	return observe(d) ? 0 : -1;
}

/*
 * "kill": from outside through the target's pidfd (in the ancestor
 * namespace: SIGKILL and SIGSTOP reach even a namespace init); from a named
 * process with kill() inside the namespace, by the pid seen there.
 */
int cmd_kill(struct driver *d, const char *from, const char *target, int sig)
{
	const struct proc *t = procs_find(&d->procs, target);
	char msg[MSG_LEN];

	if (!t)
		return fail("no process %s", target);
	if (!strcmp(from, "outside")) {
		/* A signal to a process already reaped is a no-op. */
		if (!procs_gone(&d->procs, t) && procs_signal(t, sig) < 0 && errno != ESRCH)
			return fail("kill %s: %s", target, strerror(errno));
	} else {
		const struct proc *f = procs_find(&d->procs, from);
		int error;

		if (!f || !can_act(d, f))
			return fail("%s cannot send a signal: not running", from);
		if (!procs_gone(&d->procs, t)) {
			snprintf(msg, sizeof(msg), "k %d %d", (int)t->ns_pid, sig);
			error = ask(d, f, msg);
			if (error)
				return fail("%s cannot signal %s: %s", from, target, refusal(error));
		}
	}
	return observe(d) ? 0 : -1;
}

/* "subreaper": the process calls prctl(PR_SET_CHILD_SUBREAPER, 1). */
int cmd_subreaper(struct driver *d, const char *name)
{
	const struct proc *p = procs_find(&d->procs, name);

	if (!p || !can_act(d, p))
		return fail("%s cannot become a subreaper: not running", name);
	if (ask(d, p, "s") != 0)
		return fail("%s did not become a subreaper", name);
	return observe(d) ? 0 : -1;
}

/*
 * "disposition": the process sets SIG_DFL, SIG_IGN or a handler that
 * records the signal (then unblocks it), or blocks it. The driver keeps the
 * signals it blocked: pending there, they are not a reason to wait.
 */
int cmd_disposition(struct driver *d, const char *name, int sig, const char *action)
{
	const struct proc *p = procs_find(&d->procs, name);
	char msg[MSG_LEN];
	int error;

	if (strcmp(action, "default") && strcmp(action, "ignore") &&
	    strcmp(action, "catch") && strcmp(action, "block"))
		return fail("unknown disposition %s", action);
	if (!p || !can_act(d, p))
		return fail("%s cannot change a disposition: not running", name);
	snprintf(msg, sizeof(msg), "d %d %c", sig, action[0] == 'd' ? 'd' : action[0]);
	procs_set_disposition(&d->procs, p, sig, action[0]);
	error = ask(d, p, msg);
	if (error)
		return fail("%s cannot change its disposition of %d: %s", name, sig, refusal(error));
	return observe(d) ? 0 : -1;
}
