/*
 * pausekit-driver, the scenario steps: spawn, exit, kill, subreaper and
 * disposition, each carried out by the driver ("outside") or sent to a named
 * process over its socket (named.c is the other end).
 */

#include "driver.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>


/* ------------------------------------------------------------------------ */
/* Steps, as the driver carries them out                                     */
/* ------------------------------------------------------------------------ */

static struct proc *find(const char *name)
{
	int i;

	if (!strcmp(name, "pause"))
		return pause_proc;
	for (i = 1; i < nprocs; i++)
		if (!strcmp(procs[i].name, name))
			return &procs[i];
	return 0;
}

/*
 * A message from a named process: "c SIGNUM" from its handler (recorded),
 * else an ack ("k", or "e ERRNO"). Returns whether it was an ack.
 */
bool take_message(struct proc *p, const char *msg)
{
	int sig;

	if (msg[0] == 'c') {
		sig = atoi(msg + 2);
		if (sig > 0 && sig < 64)
			p->caught |= 1ULL << sig;
		return false;
	}
	return true;
}

/* Every message already waiting on a named process's socket (no waiting). */
void drain_messages(struct proc *p)
{
	char msg[MSG_LEN];

	while (p->sock >= 0) {
		struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 0) <= 0)
			return;
		n = recv_msg(p->sock, msg, sizeof(msg), 0);
		if (n <= 0) { /* EOF: the process has exited */
			close(p->sock);
			p->sock = -1;
			p->owed = 0;
			return;
		}
		if (take_message(p, msg) && p->owed > 0)
			p->owed--;
	}
}

/*
 * Wait until a named process has acknowledged everything sent to it, or has
 * exited (EOF, or its pidfd: the init's program never sees EOF, the init
 * holds its socket too), or is stopped (it acks later, when continued).
 * Returns the errno a failed command reported, 0 if none, -1 on a timeout.
 */
static int wait_ack(struct proc *p)
{
	long deadline = now_ms() + settle_ms;
	int error = 0;

	while (p->owed > 0 && p->sock >= 0) {
		struct pollfd pfd[2] = {
			{ .fd = p->sock, .events = POLLIN },
			{ .fd = p->gone ? -1 : p->pidfd, .events = POLLIN },
		};
		char msg[MSG_LEN];
		ssize_t n;

		if (poll(pfd, 2, 1) <= 0) {
			reap_own_children();
			if (read_status(p->host_pid).state == 'T')
				return error;
			if (now_ms() > deadline)
				return -1;
			continue;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			/* Exited, and nothing left to read. */
			p->exited = true;
			p->owed = 0;
			break;
		}
		n = recv_msg(p->sock, msg, sizeof(msg), 0);
		if (n <= 0) { /* EOF: the process has exited */
			close(p->sock);
			p->sock = -1;
			p->owed = 0;
			break;
		}
		if (!take_message(p, msg))
			continue;
		p->owed--;
		if (msg[0] == 'e')
			error = atoi(msg + 2) ? atoi(msg + 2) : EINVAL;
	}
	return error;
}

/* Can this named process act now (alive, running, not owing acks)? */
static bool can_act(struct proc *p)
{
	char state;

	if (p == pause_proc || p->unseen || check_gone(p) || p->sock < 0 || has_exited(p))
		return false;
	if (p->owed > 0 && wait_ack(p) != 0)
		return false;
	state = read_status(p->host_pid).state;
	return state && state != 'T' && state != 't' && state != 'Z' && p->owed == 0;
}

/*
 * "spawn": outside forks the process itself (it lands in the namespace with
 * us as parent, as a shim's child does); a named parent is sent a new socket
 * and forks. Either way the newcomer announces its pids.
 */
int cmd_spawn(const char *name, const char *parent, bool reaps)
{
	int sv[2];
	char msg[MSG_LEN];

	if (nprocs >= MAX_PROCS || find(name) || strlen(name) >= NAME_LEN)
		return fail("cannot spawn %s: name taken or too many processes", name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return fail("socketpair: %s", strerror(errno));
	if (!strcmp(parent, "outside")) {
		pid_t pid = fork();

		if (pid == 0)
			named_start(sv[1], reaps);
		close(sv[1]);
		if (pid < 0) {
			close(sv[0]);
			return fail("outside cannot fork %s: %s", name, strerror(errno));
		}
	} else {
		struct proc *p = find(parent);
		int error;

		if (!p || !can_act(p)) {
			close(sv[0]);
			close(sv[1]);
			return fail("%s cannot fork %s: not running", parent, name);
		}
		snprintf(msg, sizeof(msg), "f %d", reaps ? 1 : 0);
		error = send_msg(p->sock, msg, sv[1]) < 0 ? EPIPE : 0;
		close(sv[1]);
		p->owed++;
		if (!error)
			error = wait_ack(p);
		if (error) {
			close(sv[0]);
			return fail("%s cannot fork %s: %s", parent, name,
				    error < 0 ? "no answer" : strerror(error));
		}
	}
	if (wait_ready(sv[0], msg, sizeof(msg)) < 0 || !add_proc(name, sv[0], msg)) {
		close(sv[0]);
		return fail("%s did not start", name);
	}
	observe();
	return 0;
}

/* "exit": the process calls _exit(); its socket's EOF says it is done. */
int cmd_exit(const char *name, int code)
{
	struct proc *p = find(name);
	char msg[MSG_LEN];

	if (!p || !can_act(p))
		return fail("%s cannot exit: not running", name);
	snprintf(msg, sizeof(msg), "x %d", code);
	send_msg(p->sock, msg, -1);
	p->owed++;
	if (wait_ack(p) < 0)
		return fail("%s did not exit", name);
	observe();
	return 0;
}

/*
 * "kill": from outside through the target's pidfd (in the ancestor
 * namespace: SIGKILL and SIGSTOP reach even a namespace init); from a named
 * process with kill() inside the namespace, by the pid seen there.
 */
int cmd_kill(const char *from, const char *target, int sig)
{
	struct proc *t = find(target);
	char msg[MSG_LEN];

	if (!t)
		return fail("no process %s", target);
	if (!strcmp(from, "outside")) {
		/* A signal to a process already reaped is a no-op. */
		if (!check_gone(t) && proc_signal(t, sig) < 0 && errno != ESRCH)
			return fail("kill %s: %s", target, strerror(errno));
	} else {
		struct proc *f = find(from);
		int error;

		if (!f || !can_act(f))
			return fail("%s cannot send a signal: not running", from);
		if (!check_gone(t)) {
			snprintf(msg, sizeof(msg), "k %d %d", (int)t->ns_pid, sig);
			send_msg(f->sock, msg, -1);
			f->owed++;
			error = wait_ack(f);
			if (error)
				return fail("%s cannot signal %s: %s", from, target,
					    error < 0 ? "no answer" : strerror(error));
		}
	}
	observe();
	return 0;
}

/* "subreaper": the process calls prctl(PR_SET_CHILD_SUBREAPER, 1). */
int cmd_subreaper(const char *name)
{
	struct proc *p = find(name);

	if (!p || !can_act(p))
		return fail("%s cannot become a subreaper: not running", name);
	send_msg(p->sock, "s", -1);
	p->owed++;
	if (wait_ack(p) != 0)
		return fail("%s did not become a subreaper", name);
	observe();
	return 0;
}

/*
 * "disposition": the process sets SIG_DFL, SIG_IGN or a handler that
 * records the signal (then unblocks it), or blocks it. The driver keeps the
 * signals it blocked: pending there, they are not a reason to wait.
 */
int cmd_disposition(const char *name, int sig, const char *action)
{
	struct proc *p = find(name);
	char msg[MSG_LEN];
	int error;

	if (strcmp(action, "default") && strcmp(action, "ignore") &&
	    strcmp(action, "catch") && strcmp(action, "block"))
		return fail("unknown disposition %s", action);
	if (!p || !can_act(p))
		return fail("%s cannot change a disposition: not running", name);
	snprintf(msg, sizeof(msg), "d %d %c", sig, action[0] == 'd' ? 'd' : action[0]);
	send_msg(p->sock, msg, -1);
	p->owed++;
	if (action[0] == 'b')
		p->blocked |= 1ULL << sig;
	else
		p->blocked &= ~(1ULL << sig);
	if (action[0] == 'c')
		p->catches = true;
	error = wait_ack(p);
	if (error)
		return fail("%s cannot change its disposition of %d: %s", name, sig,
			    error < 0 ? "no answer" : strerror(error));
	observe();
	return 0;
}
