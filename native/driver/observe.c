/*
 * pausekit-driver, observation: when the state has settled, and the
 * observation block printed after every step. Uses procs.c and procfs.c.
 */

#include "driver.h"
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

/* The pause between two /proc polls: short, so settling costs microseconds. */
static void poll_gap(void)
{
	struct timespec gap = { 0, 50 * 1000 };

	nanosleep(&gap, 0);
}

/* ------------------------------------------------------------------------ */
/* Settling                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Init mode: does pause (the init) have a child the driver does not track?
 * The program before the driver has found it (a failing exec announces
 * nothing) is adopted; anything else is on its way somewhere.
 */
static bool untracked_children(struct procs *t)
{
	pid_t children[1024];
	int n = read_children(t->all[0].host_pid, children, 1024);
	int c, i;
	bool found = false;

	for (c = 0; c < n; c++) {
		bool tracked = false;

		for (i = 1; i < t->count; i++)
			if (!t->all[i].unseen && t->all[i].host_pid == children[c])
				tracked = true;
		if (tracked)
			continue;
		if (t->init_program->unseen)
			procs_adopt(t, t->init_program, children[c]);
		found = true;
	}
	return found;
}

/*
 * What the last look saw of each process (by its index in the table):
 * after a settled look, the state and parent the observation prints.
 */
static struct status seen[MAX_PROCS];

/*
 * A first glance at one process, from /proc/PID/stat alone (state, parent
 * and flags, in one short read): could it be settled? Stopped, a zombie
 * someone else must reap, or asleep and not on its way out (PF_EXITING).
 */
static bool quiet_at_a_glance(const struct procs *t, struct stat_line st)
{
	switch (st.state) {
	case 'T':
	case 't':
		return true;
	case 'Z':
		return st.ppid != t->self_host_pid;
	case 'S':
		return !(st.flags & PF_EXITING);
	default: /* gone between two looks, R, D, X: on its way somewhere */
		return false;
	}
}

/*
 * Is this sleeper asleep for good, by its status file (read now)? Nothing
 * pending but what it blocked itself (a "block" disposition, or what the
 * program inherited; for pause (is_pause) its mask as /proc says it:
 * waiting in rt_sigtimedwait, the kernel unblocks the signals it waits
 * for, so what stays blocked, it never takes), not on its way out (its
 * glance), and not spinning in a system call.
 */
static bool asleep_for_good(const struct proc *p, bool is_pause, struct stat_line glance, struct status *st)
{
	*st = read_status(p->host_pid, p->status_fd);
	if (st->state != 'S') /* woke up or changed since the glance: look again */
		return false;
	return !(st->pending & ~(is_pause ? st->mask : p->blocked)) && !(glance.flags & PF_EXITING) &&
	       !really_running(p->host_pid, p->syscall_fd);
}

/* A parent no process in play has (compared as this pointer). */
static const char UNKNOWN_PARENT[] = "?";

/* Observations name parents: "outside", "pause" or a process name. */
static const char *parent_name(const struct procs *t, pid_t ppid)
{
	int i;

	if (ppid == t->self_host_pid)
		return "outside";
	for (i = 0; i < t->count; i++)
		if (!t->all[i].gone && t->all[i].host_pid == ppid)
			return i == 0 ? "pause" : t->all[i].name;
	return UNKNOWN_PARENT;
}

/*
 * One look at every process in play: true when nothing more can happen
 * without a new event. Stopped processes wait for SIGCONT; zombies wait for
 * a parent that is itself settled (or for us: then we are not done);
 * sleepers must be asleep for good. Every process is glanced at first
 * (its stat file), and only the sleepers are then read in full (their
 * status and syscall files): the first process that is not settled ends
 * the look. What it saw goes to seen[].
 */
static bool settled_once(struct procs *t, bool full)
{
	struct stat_line glances[MAX_PROCS];
	int i;

	procs_reap_own(t);
	if (t->init_program && t->pause_status < 0 && !procs_gone(t, &t->all[0]) &&
	    untracked_children(t))
		return false;
	for (i = 0; i < t->count; i++) {
		const struct proc *p = &t->all[i];

		if (p->unseen || p->gone)
			continue;
		glances[i] = read_stat(p->host_pid, p->stat_fd);
		/* Its stat file cannot be read once it is reaped: then it is gone. */
		if (glances[i].state == 0 && procs_gone(t, p))
			continue;
		if (!quiet_at_a_glance(t, glances[i]))
			return false;
	}
	if (!full)
		return true;
	/*
	 * Two moments of change that look settled, checked before the
	 * sleepers: a zombie shows Z from the moment its exit state is set
	 * and tells its parent (SIGCHLD, a wake-up) a moment later, until
	 * its syscall file stops saying "running"; and a zombie read while
	 * its parent reaps it shows a parent of 0, which no one knows.
	 */
	for (i = 1; i < t->count; i++) {
		const struct proc *p = &t->all[i];

		if (p->unseen || p->gone)
			continue;
		if (parent_name(t, glances[i].ppid) == UNKNOWN_PARENT ||
		    (glances[i].state == 'Z' && really_running(p->host_pid, p->syscall_fd)))
			return false;
	}
	for (i = 0; i < t->count; i++) {
		const struct proc *p = &t->all[i];

		if (p->unseen || p->gone)
			continue;
		seen[i] = (struct status){ glances[i].state, glances[i].ppid, 0, 0 };
		if (glances[i].state == 'S' && !asleep_for_good(p, i == 0, glances[i], &seen[i]))
			return false;
	}
	return true;
}

/*
 * Poll until settled twice in a row, with pause not run at all from before
 * the first look to after the second, or give up at the deadline. Two
 * looks can each find pause asleep while it woke and acted between them
 * (its program reaped, its exit begun): the named processes answer every
 * command, but nothing but its run count tells what pause did.
 */
static bool settle(struct driver *d)
{
	long deadline = now_ms() + d->settle_ms;
	pid_t pause = d->procs.all[0].host_pid;
	int fd = open_proc(pause, "schedstat");
	long long runs_before = 0;
	bool first_look = true, settled = false;

	while (!settled && now_ms() <= deadline) {
		if (first_look)
			runs_before = times_run(pause, fd);
		if (!settled_once(&d->procs, !first_look))
			first_look = true;
		else if (first_look)
			first_look = false;
		else if (times_run(pause, fd) == runs_before)
			settled = true;
		else
			first_look = true;
		if (!settled)
			poll_gap();
	}
	if (fd >= 0)
		close(fd);
	return settled;
}

/* ------------------------------------------------------------------------ */
/* The observation block                                                     */
/* ------------------------------------------------------------------------ */

/* pause's stderr since the last observation, hex-encoded on one line. */
static void print_stderr(int pause_err_fd)
{
	char buf[4096];
	ssize_t n, i;

	printf("stderr ");
	while ((n = read(pause_err_fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			printf("%02x", (unsigned char)buf[i]);
	printf("\n");
}

/* "pause running | stopped | exited CODE | killed SIGNUM", as the settled look saw it. */
static void print_pause(const struct procs *t)
{
	if (t->pause_status >= 0 && WIFEXITED(t->pause_status))
		printf("pause exited %d\n", WEXITSTATUS(t->pause_status));
	else if (t->pause_status >= 0)
		printf("pause killed %d\n", WTERMSIG(t->pause_status));
	else
		printf("pause %s\n", seen[0].state == 'T' ? "stopped" : "running");
}

/*
 * "proc NAME STATE PARENT|- [caught=N,N...]", as the settled look saw the
 * process (entry i of the table), after taking its waiting messages.
 */
static void print_proc(struct procs *t, int i)
{
	const struct proc *p = &t->all[i];
	struct status st = p->unseen || procs_gone(t, p) ? (struct status){ 0, 0, 0, 0 } : seen[i];
	const char *state = st.state == 'Z' ? "zombie" :
			    st.state == 'T' || st.state == 't' ? "stopped" :
			    st.state == 0 ? "gone" : "running";

	procs_drain(t, p);
	printf("proc %s %s %s", p->name, state, st.state ? parent_name(t, st.ppid) : "-");
	if (p->catches) {
		unsigned long long caught = procs_take_caught(t, p);
		const char *sep = "";
		int sig;

		printf(" caught=");
		for (sig = 1; sig <= 64; sig++) {
			int n = (caught & SIGBIT(sig)) ? procs_caught_count(p, sig) : 0;

			for (; n > 0; n--) { /* a real-time signal once per delivery */
				printf("%s%d", sep, sig);
				sep = ",";
			}
		}
	}
	printf("\n");
}

/* Settle, then print one observation block; false (a livelock) if it never settles. */
bool observe(struct driver *d)
{
	int i;

	if (!settle(d)) {
		printf("error livelock\nend\n");
		fflush(stdout);
		return false;
	}
	print_pause(&d->procs);
	for (i = 1; i < d->procs.count; i++)
		print_proc(&d->procs, i);
	print_stderr(d->pause_err_fd);
	printf("end\n");
	fflush(stdout);
	return true;
}
