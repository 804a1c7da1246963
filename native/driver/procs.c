/*
 * pausekit-driver, the process table: pause (entry 0) and every named
 * process, and who the driver ("outside") is. This file alone adds, finds
 * and changes entries; the other parts read them through const pointers
 * and ask here for every change. Outside reaping its own children lives
 * here too: pause's wait status is the table's to keep. Uses msg.c and
 * procfs.c.
 */

#include "driver.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* A pidfd pins one process: signals through it never hit a reused pid. */
static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* kill() through a pidfd; ESRCH once the process has been reaped. */
static int pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, 0, 0);
}

/* The table's own, writable entry for p (p points into t's table). */
static struct proc *entry(struct procs *t, const struct proc *p)
{
	return &t->all[p - t->all];
}

/* Keep the process's /proc files open from now on (settling reads them often). */
static void open_files(struct proc *p)
{
	p->status_fd = open_proc(p->host_pid, "status");
	p->stat_fd = open_proc(p->host_pid, "stat");
	p->syscall_fd = open_proc(p->host_pid, "syscall");
}

/* One kept /proc file closed, and marked so. */
static void close_file(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The process is gone: its /proc files go too. */
static void close_files(struct proc *p)
{
	close_file(&p->status_fd);
	close_file(&p->stat_fd);
	close_file(&p->syscall_fd);
}

/* An empty table for a driver at host pid self_host_pid, namespace depth self_level. */
void procs_init(struct procs *t, pid_t self_host_pid, int self_level, int chld_fd)
{
	memset(t, 0, sizeof(*t));
	t->self_host_pid = self_host_pid;
	t->self_level = self_level;
	t->chld_fd = chld_fd;
	t->pause_status = -1;
}

/*
 * Record a new process from its "r PID..." announcement: the next entry
 * (the first is pause). Returns it, or 0 if its pids or a pidfd are
 * missing or the table is full.
 */
const struct proc *procs_add(struct procs *t, const char *name, int sock, const char *ready)
{
	struct proc *p = &t->all[t->count];
	pid_t pids[8];
	int n;

	if (t->count >= MAX_PROCS)
		return 0;
	n = parse_pids(ready + 1, pids, 8);
	if (n <= t->self_level)
		return 0;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->host_pid = pids[0];
	p->view_pid = pids[t->self_level];
	p->ns_pid = pids[n - 1];
	p->pidfd = pidfd_open(p->view_pid);
	p->sock = sock;
	if (p->pidfd < 0 && errno != ENOSYS) /* ENOSYS: signalled by pid (procs_signal) */
		return 0;
	open_files(p);
	t->count++;
	return p;
}

/*
 * Init mode's program, before the driver knows its pids (procs_adopt
 * fills them in): its socket, no pidfd yet. It becomes init_program.
 */
const struct proc *procs_add_unseen(struct procs *t, const char *name, int sock)
{
	struct proc *p = &t->all[t->count];

	if (t->count >= MAX_PROCS)
		return 0;
	t->count++;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->sock = sock;
	p->pidfd = -1;
	p->status_fd = p->stat_fd = p->syscall_fd = -1;
	p->unseen = true;
	t->init_program = p;
	return p;
}

/*
 * Track a process the driver did not start itself (the init's program) by
 * its host pid: its pids at every level, a pidfd. False if it is gone.
 */
bool procs_adopt(struct procs *t, const struct proc *seen, pid_t host_pid)
{
	struct proc *p = entry(t, seen);
	char path[64];
	pid_t pids[8];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)host_pid);
	n = read_nspids(path, pids, 8);
	if (n <= t->self_level)
		return false;
	p->pidfd = pidfd_open(pids[t->self_level]);
	if (p->pidfd < 0)
		return false;
	p->host_pid = pids[0];
	p->view_pid = pids[t->self_level];
	p->ns_pid = pids[n - 1];
	p->unseen = false;
	open_files(p);
	return true;
}

/* A process by its scenario name ("pause" or a named one), or 0. */
const struct proc *procs_find(const struct procs *t, const char *name)
{
	int i;

	if (!strcmp(name, "pause"))
		return &t->all[0];
	for (i = 1; i < t->count; i++)
		if (!strcmp(t->all[i].name, name))
			return &t->all[i];
	return 0;
}

/*
 * Signal a process through its pidfd; by its pid where it has none: only
 * where pidfd_open is missing (ENOSYS), as under valgrind 3.19, which does
 * not know the call. A scenario's few processes never wrap the pid space,
 * so the pid still names the process there.
 */
int procs_signal(const struct proc *p, int sig)
{
	return p->pidfd >= 0 ? pidfd_signal(p->pidfd, sig) : kill(p->view_pid, sig);
}

/* Has someone reaped this process? (A zombie still counts as there.) */
bool procs_gone(struct procs *t, const struct proc *seen)
{
	struct proc *p = entry(t, seen);

	if (!p->gone && procs_signal(p, 0) < 0 && errno == ESRCH) {
		p->gone = true;
		if (p->pidfd >= 0)
			close(p->pidfd);
		p->pidfd = -1;
		close_files(p);
	}
	return p->gone;
}

/* Has the process exited (a zombie, or reaped)? Its pidfd says so. */
bool procs_exited(struct procs *t, const struct proc *seen)
{
	struct proc *p = entry(t, seen);
	struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };

	if (p->exited || p->gone)
		return true;
	if (p->pidfd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN))
		p->exited = true;
	return p->exited;
}

/*
 * "outside" reaps its children at once; pause's status is kept. Each child
 * that dies (or is reparented to us dead) sends SIGCHLD, which the signalfd
 * holds until read: no SIGCHLD, no zombie child to reap.
 */
void procs_reap_own(struct procs *t)
{
	struct signalfd_siginfo info;
	bool heard = false;
	int status;
	pid_t pid;

	while (read(t->chld_fd, &info, sizeof(info)) == sizeof(info))
		heard = true;
	if (!heard)
		return;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == t->all[0].view_pid && t->pause_status < 0)
			t->pause_status = status;
}

/*
 * A message from a named process: "c SIGNUM" from its handler (recorded),
 * else an ack ("k", or "e ERRNO"), which pays one owed. Returns whether it
 * was an ack.
 */
bool procs_take_message(struct procs *t, const struct proc *from, const char *msg)
{
	struct proc *p = entry(t, from);
	int sig;

	if (msg[0] == 'c') {
		sig = atoi(msg + 2);
		if (sig >= 32 && sig <= 64) { /* counted afresh when caught anew */
			unsigned char *n = &p->caught_rt[sig - 32];

			*n = (p->caught & SIGBIT(sig)) ? (unsigned char)(*n + (*n < 255)) : 1;
		}
		if (sig > 0 && sig <= 64)
			p->caught |= SIGBIT(sig);
		return false;
	}
	if (p->owed > 0)
		p->owed--;
	return true;
}

/* Its socket reached EOF: the process has exited; nothing more is owed. */
void procs_hung_up(struct procs *t, const struct proc *p)
{
	struct proc *e = entry(t, p);

	close(e->sock);
	e->sock = -1;
	e->owed = 0;
}

/* Its pidfd says it exited, and its socket has nothing left: nothing is owed. */
void procs_mark_exited(struct procs *t, const struct proc *p)
{
	struct proc *e = entry(t, p);

	e->exited = true;
	e->owed = 0;
}

/* Every message already waiting on a named process's socket (no waiting). */
void procs_drain(struct procs *t, const struct proc *p)
{
	char msg[MSG_LEN];

	while (p->sock >= 0) {
		struct pollfd pfd = { .fd = p->sock, .events = POLLIN };

		if (poll(&pfd, 1, 0) <= 0)
			return;
		if (recv_msg(p->sock, msg, sizeof(msg), 0) <= 0) {
			procs_hung_up(t, p);
			return;
		}
		procs_take_message(t, p, msg);
	}
}

/* A command went to the process: one more ack is owed. */
void procs_sent(struct procs *t, const struct proc *p)
{
	entry(t, p)->owed++;
}

/*
 * The process was told to change its disposition of sig (action d, i, c
 * or b): the driver keeps the signals it blocked (pending there, they are
 * not a reason to wait) and whether it has ever caught.
 */
void procs_set_disposition(struct procs *t, const struct proc *p, int sig, char action)
{
	struct proc *e = entry(t, p);

	if (action == 'b')
		e->blocked |= SIGBIT(sig);
	else
		e->blocked &= ~SIGBIT(sig);
	if (action == 'c')
		e->catches = true;
}

/*
 * The signals its handler ran for since the last call (SIGBIT); how often
 * a real-time one ran, procs_caught_count() tells until it is caught anew.
 */
unsigned long long procs_take_caught(struct procs *t, const struct proc *p)
{
	struct proc *e = entry(t, p);
	unsigned long long caught = e->caught;

	e->caught = 0;
	return caught;
}

/* How often its handler ran for real-time signal sig (32..64) in the last procs_take_caught()'s set. */
int procs_caught_count(const struct proc *p, int sig)
{
	return sig >= 32 && sig <= 64 ? p->caught_rt[sig - 32] : 1;
}
