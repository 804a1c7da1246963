/*
 * pausekit-driver: the kernel scenario runner's hands. The TypeScript runner
 * (src/engine-kernel.ts) starts one driver per scenario and talks to it over
 * stdin/stdout, one command line in, one observation block out:
 *
 *   pausekit-driver --pause BINARY --mode pid1|plain [--settle-ms N]
 *   pausekit-driver --probe          can this machine make a PID namespace?
 *
 *   spawn NAME PARENT REAPS    PARENT is "outside" or a name; REAPS 0 or 1
 *   exit NAME CODE             NAME calls _exit(CODE)
 *   kill FROM TARGET SIGNUM    FROM is "outside" or a name; TARGET "pause"
 *                              or a name
 *   subreaper NAME             NAME calls prctl(PR_SET_CHILD_SUBREAPER)
 *   pids                       host pids of outside, pause and the living
 *                              named processes ("pid NAME PID" lines); no
 *                              settling
 *
 * After starting pause and after every command the driver lets the state
 * settle (polling /proc until every process is blocked with nothing
 * deliverable pending, twice in a row) and prints
 *
 *   pause running | stopped | exited CODE | killed SIGNUM
 *   proc NAME running|stopped|zombie|gone PARENT|-     one per process
 *   stderr HEX                                         pause's new stderr
 *   end
 *
 * or `error livelock` / `error MESSAGE` then `end`.
 *
 * Who is who. The driver is "outside": a child subreaper that reaps its own
 * children at once. pid1 mode: the driver unshares a PID namespace and forks
 * pause as its PID 1; later forks from outside land in that namespace with
 * the driver as parent, as a runtime shim's do. plain mode: the driver forks
 * once more so that its child is PID 1 of the new namespace and plays
 * "outside" there; pause is then an ordinary child (not PID 1). Either way
 * every process except the driver lives in the namespace, so the namespace's
 * death takes all of them along.
 *
 * Named processes are forks of this binary running named_main(): each reads
 * commands from its own SOCK_SEQPACKET socket, whose other end the driver
 * holds; a child of a named process gets its socket passed with SCM_RIGHTS.
 * Named processes keep default signal dispositions; one that reaps blocks
 * SIGCHLD and takes it from a signalfd, then drains waitpid().
 *
 * Cleanup, even when the runner dies: the driver has PR_SET_PDEATHSIG
 * SIGKILL and exits on stdin EOF; pause (pid1) or the inner driver (plain)
 * has PR_SET_PDEATHSIG SIGKILL too, and the death of a namespace's init
 * kills every process left in it. Named processes exit on socket EOF.
 *
 * Error policy: setup failures print `error ...` and exit 3; a command that
 * cannot be carried out prints `error ...` and the runner gives up.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 512
#define NAME_LEN 64
#define MSG_LEN 256
#define EXIT_SETUP 3

enum mode { MODE_PID1, MODE_PLAIN };

/* A process the driver knows: pause (index 0) or a named one. */
struct proc {
	char name[NAME_LEN];
	pid_t host_pid; /* in the host's /proc */
	pid_t view_pid; /* as the driver sees it (its own namespace) */
	pid_t ns_pid;   /* as seen inside the scenario's namespace */
	int pidfd;      /* pins the process: no pid reuse surprises */
	int sock;       /* command channel; -1 for pause or once closed */
	int owed;       /* acks not yet received */
	bool gone;      /* reaped by someone */
};

static struct proc procs[MAX_PROCS];
static int nprocs;
static struct proc *const pause_proc = &procs[0];

static enum mode mode;
static pid_t self_host_pid;     /* the driver ("outside") in /proc */
static int self_level;          /* depth of the driver's PID namespace */
static int pause_status = -1;   /* wait status once pause is reaped */
static int chld_fd = -1;        /* signalfd for SIGCHLD */
static int pause_err_fd = -1;   /* read end of pause's stderr */
static long settle_ms = 2000;

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

/* An error block on stdout, the form the runner reads: "error ...\nend". */
static __attribute__((format(printf, 1, 0))) void report_error(const char *fmt, va_list ap)
{
	printf("error ");
	vprintf(fmt, ap);
	printf("\nend\n");
	fflush(stdout);
}

/* Setup failed: say why and stop. */
static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_error(fmt, ap);
	va_end(ap);
	exit(EXIT_SETUP);
}

/* Milliseconds on the monotonic clock, for deadlines. */
static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The pause between two /proc polls: short, so settling costs microseconds. */
static void poll_gap(void)
{
	struct timespec gap = { 0, 50 * 1000 };

	nanosleep(&gap, 0);
}

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
static int read_nspids(const char *path, pid_t *pids, int max)
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
/* Messages on a SOCK_SEQPACKET channel, optionally carrying one fd          */
/* ------------------------------------------------------------------------ */

static int send_msg(int sock, const char *text, int fd)
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
static ssize_t recv_msg(int sock, char *text, size_t size, int *fd)
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

/* ------------------------------------------------------------------------ */
/* Named processes: forks of the driver that obey their socket               */
/* ------------------------------------------------------------------------ */

static __attribute__((noreturn)) void named_main(int sock, bool reaps);

/*
 * A fresh named process: its socket on fd 3, nothing else inherited but
 * stderr, an empty signal mask, and (if it reaps) a SIGCHLD signalfd. Then
 * it announces its pids and obeys.
 */
static __attribute__((noreturn)) void named_start(int sock, bool reaps)
{
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

/* Reap every zombie child: the reaps:true behaviour. */
static void drain_zombies(void)
{
	while (waitpid(-1, 0, WNOHANG) > 0)
		;
}

/*
 * Send a signal and acknowledge it with every catchable signal blocked, so
 * the ack leaves before the signal acts on this very process (it may be
 * its own target). SIGKILL and SIGSTOP cannot wait: then the driver sees
 * EOF or a stopped process instead of the ack.
 */
static void named_kill(int sock, pid_t pid, int sig)
{
	sigset_t all, old;
	char ack[32] = "k";

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (kill(pid, sig) < 0)
		snprintf(ack, sizeof(ack), "e %d", errno);
	send_msg(sock, ack, -1);
	sigprocmask(SIG_SETMASK, &old, 0);
}

/* Fork a child named process that will obey child_sock. */
static void named_fork(int sock, int child_sock, bool child_reaps)
{
	char ack[32] = "k";
	pid_t pid = fork();

	if (pid == 0)
		named_start(child_sock, child_reaps);
	if (pid < 0)
		snprintf(ack, sizeof(ack), "e %d", errno);
	close(child_sock);
	send_msg(sock, ack, -1);
}

/* The command loop of a named process. Socket EOF means the driver is gone. */
static __attribute__((noreturn)) void named_main(int sock, bool reaps)
{
	struct pollfd fds[2] = { { .fd = sock, .events = POLLIN }, { .fd = -1 } };
	int nfds = 1;

	if (reaps) {
		sigset_t chld;

		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, 0);
		fds[1].fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
		fds[1].events = POLLIN;
		nfds = 2;
	}
	for (;;) {
		char msg[MSG_LEN];
		int fd, a, b;

		if (poll(fds, nfds, -1) < 0)
			continue;
		if (nfds == 2 && (fds[1].revents & POLLIN)) {
			struct signalfd_siginfo info;

			while (read(fds[1].fd, &info, sizeof(info)) == sizeof(info))
				;
			drain_zombies();
		}
		if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (recv_msg(sock, msg, sizeof(msg), &fd) <= 0)
			_exit(0);
		switch (msg[0]) {
		case 'f': /* fork a child; its socket came with the message */
			named_fork(sock, fd, msg[2] == '1');
			break;
		case 'x': /* exit with a code */
			_exit(atoi(msg + 2));
		case 'k': /* send a signal from inside the namespace */
			if (sscanf(msg + 2, "%d %d", &a, &b) == 2)
				named_kill(sock, a, b);
			break;
		case 's': /* become a child subreaper */
			prctl(PR_SET_CHILD_SUBREAPER, 1);
			send_msg(sock, "k", -1);
			break;
		default:
			send_msg(sock, "e 0", -1);
			break;
		}
	}
}

/* ------------------------------------------------------------------------ */
/* The driver's view of the processes: /proc, pidfds, reaping                */
/* ------------------------------------------------------------------------ */

/* What /proc/PID/status says about one process. */
struct status {
	char state;      /* R S D T t Z X, or 0 if the process is gone */
	pid_t ppid;      /* host pid of the parent */
	bool pending;    /* any signal pending (thread or process) */
};

/* Read /proc/PID/NAME (the host's /proc: host pids) into buf, NUL-ended.
 * Returns the length, or -1 if the process is gone or the file unreadable. */
static ssize_t read_proc(pid_t host_pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)host_pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/*
 * A namespace init that exits sleeps ("S") in zap_pid_namespace() until every
 * other process of the namespace is reaped, and any process sleeps on its way
 * out while it tears down: PF_EXITING (in /proc/PID/stat's flags field) tells
 * those apart from a process asleep for good.
 */
#define PF_EXITING 0x00000004UL
static bool is_exiting(pid_t host_pid)
{
	char buf[1024];
	const char *p;
	unsigned long flags = 0;

	if (read_proc(host_pid, "stat", buf, sizeof(buf)) <= 0)
		return false;
	/* After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return (flags & PF_EXITING) != 0;
}

/* One read of /proc/PID/status (the host's /proc: host pids). */
static struct status read_status(pid_t host_pid)
{
	struct status st = { 0, 0, false };
	char buf[4096];
	const char *p;

	if (read_proc(host_pid, "status", buf, sizeof(buf)) <= 0)
		return st;
	if ((p = strstr(buf, "\nState:\t")))
		st.state = p[8];
	if ((p = strstr(buf, "\nPPid:\t")))
		st.ppid = (pid_t)atoi(p + 7);
	if ((p = strstr(buf, "\nSigPnd:\t")))
		st.pending |= strtoull(p + 9, 0, 16) != 0;
	if ((p = strstr(buf, "\nShdPnd:\t")))
		st.pending |= strtoull(p + 9, 0, 16) != 0;
	return st;
}

/*
 * Is this sleeper really asleep? /proc/PID/status can say "S" for a process
 * that spins on waitpid(WNOHANG) (the kernel marks it interruptible inside
 * every wait4 call). /proc/PID/syscall waits until the task is off the CPU
 * and says "running" if it never settles there.
 */
static bool really_running(pid_t host_pid)
{
	char buf[32];

	/* Not allowed to look: trust the state. */
	return read_proc(host_pid, "syscall", buf, sizeof(buf)) > 0 && buf[0] == 'r';
}

/* Has someone reaped this process? (A zombie still counts as there.) */
static bool check_gone(struct proc *p)
{
	if (!p->gone && pidfd_signal(p->pidfd, 0) < 0 && errno == ESRCH) {
		p->gone = true;
		close(p->pidfd);
		p->pidfd = -1;
	}
	return p->gone;
}

/* "outside" reaps its children at once; pause's status is kept. */
static void reap_own_children(void)
{
	struct signalfd_siginfo info;
	int status;
	pid_t pid;

	while (read(chld_fd, &info, sizeof(info)) == sizeof(info))
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == pause_proc->view_pid && pause_status < 0)
			pause_status = status;
}

/*
 * One look at every process in play: true when nothing more can happen
 * without a new event. Stopped processes wait for SIGCONT; zombies wait for
 * a parent that is itself settled (or for us: then we are not done);
 * sleepers must have nothing pending.
 */
static bool settled_once(void)
{
	int i;

	reap_own_children();
	for (i = 0; i < nprocs; i++) {
		struct proc *p = &procs[i];
		struct status st;

		if (check_gone(p))
			continue;
		st = read_status(p->host_pid);
		switch (st.state) {
		case 0: /* vanished between the two looks: look again */
			return false;
		case 'T':
		case 't':
			break;
		case 'Z':
			if (st.ppid == self_host_pid)
				return false;
			break;
		case 'S':
			if (st.pending || is_exiting(p->host_pid) || really_running(p->host_pid))
				return false;
			break;
		default: /* R, D, X: on its way somewhere */
			return false;
		}
	}
	return true;
}

/* Poll until settled twice in a row, or give up at the deadline. */
static bool settle(void)
{
	long deadline = now_ms() + settle_ms;
	int in_a_row = 0;

	for (;;) {
		in_a_row = settled_once() ? in_a_row + 1 : 0;
		if (in_a_row >= 2)
			return true;
		if (now_ms() > deadline)
			return false;
		poll_gap();
	}
}

/* Observations name parents: "outside", "pause" or a process name. */
static const char *parent_name(pid_t ppid)
{
	int i;

	if (ppid == self_host_pid)
		return "outside";
	for (i = 0; i < nprocs; i++)
		if (!procs[i].gone && procs[i].host_pid == ppid)
			return i == 0 ? "pause" : procs[i].name;
	return "?";
}

/* pause's stderr since the last observation, hex-encoded on one line. */
static void print_stderr(void)
{
	char buf[4096];
	ssize_t n, i;

	printf("stderr ");
	while ((n = read(pause_err_fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			printf("%02x", (unsigned char)buf[i]);
	printf("\n");
}

/* Settle, then print one observation block. */
static void observe(void)
{
	int i;

	if (!settle()) {
		printf("error livelock\nend\n");
		fflush(stdout);
		return;
	}
	if (pause_status >= 0 && WIFEXITED(pause_status))
		printf("pause exited %d\n", WEXITSTATUS(pause_status));
	else if (pause_status >= 0)
		printf("pause killed %d\n", WTERMSIG(pause_status));
	else
		printf("pause %s\n", read_status(pause_proc->host_pid).state == 'T' ?
		       "stopped" : "running");
	for (i = 1; i < nprocs; i++) {
		struct proc *p = &procs[i];
		struct status st = check_gone(p) ? (struct status){ 0, 0, false } :
						   read_status(p->host_pid);
		const char *state = st.state == 'Z' ? "zombie" :
				    st.state == 'T' || st.state == 't' ? "stopped" :
				    st.state == 0 ? "gone" : "running";

		printf("proc %s %s %s\n", p->name, state,
		       st.state ? parent_name(st.ppid) : "-");
	}
	print_stderr();
	printf("end\n");
	fflush(stdout);
}

/* A command failed: say why; the runner stops the scenario. */
static __attribute__((format(printf, 1, 2))) int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_error(fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Commands                                                                  */
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
 * Wait until a named process has acknowledged everything sent to it, or has
 * exited (EOF), or is stopped (it acks later, when continued). Returns the
 * errno a failed command reported, 0 if none, -1 on a timeout.
 */
static int wait_ack(struct proc *p)
{
	long deadline = now_ms() + settle_ms;
	int error = 0;

	while (p->owed > 0 && p->sock >= 0) {
		struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
		char msg[MSG_LEN];
		ssize_t n;

		if (poll(&pfd, 1, 1) <= 0) {
			reap_own_children();
			if (read_status(p->host_pid).state == 'T')
				return error;
			if (now_ms() > deadline)
				return -1;
			continue;
		}
		n = recv_msg(p->sock, msg, sizeof(msg), 0);
		if (n <= 0) { /* EOF: the process has exited */
			close(p->sock);
			p->sock = -1;
			p->owed = 0;
			break;
		}
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

	if (p == pause_proc || check_gone(p) || p->sock < 0)
		return false;
	if (p->owed > 0 && wait_ack(p) != 0)
		return false;
	state = read_status(p->host_pid).state;
	return state && state != 'T' && state != 't' && state != 'Z' && p->owed == 0;
}

/* Record a new process from its "r PID..." announcement; returns it. */
static struct proc *add_proc(const char *name, int sock, const char *ready)
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
	if (p->pidfd < 0)
		return 0;
	nprocs++;
	return p;
}

/* Wait for a new process's announcement on its socket. */
static int wait_ready(int sock, char *msg, size_t size)
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

/*
 * "spawn": outside forks the process itself (it lands in the namespace with
 * us as parent, as a shim's child does); a named parent is sent a new socket
 * and forks. Either way the newcomer announces its pids.
 */
static int cmd_spawn(const char *name, const char *parent, bool reaps)
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
static int cmd_exit(const char *name, int code)
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
static int cmd_kill(const char *from, const char *target, int sig)
{
	struct proc *t = find(target);
	char msg[MSG_LEN];

	if (!t)
		return fail("no process %s", target);
	if (!strcmp(from, "outside")) {
		/* A signal to a process already reaped is a no-op. */
		if (!check_gone(t) && pidfd_signal(t->pidfd, sig) < 0 && errno != ESRCH)
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
static int cmd_subreaper(const char *name)
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

/* ------------------------------------------------------------------------ */
/* Setup: the namespace, pause, cleanup                                      */
/* ------------------------------------------------------------------------ */

/*
 * Make the next fork land in a fresh PID namespace. As root (or with
 * CAP_SYS_ADMIN) directly; otherwise inside a new user namespace that maps
 * us to root. Returns "root", "userns", or 0 with errno set.
 */
static const char *enter_pid_namespace(void)
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
static int probe(void)
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

/* Fork and exec pause with stderr into our pipe; learn its pids. */
static void start_pause(const char *binary)
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
		char *argv[] = { (char *)binary, 0 };
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		sigset_t none;
		pid_t pids[8];
		int i, count, len;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, 0);
		dup2(null, 0);
		dup2(null, 1);
		dup2(err[1], 2);
		count = read_nspids("/proc/self/status", pids, 8);
		len = snprintf(msg, sizeof(msg), "r");
		for (i = 0; i < count; i++)
			len += snprintf(msg + len, sizeof(msg) - len, " %d", (int)pids[i]);
		if (write(report[1], msg, len) != len)
			_exit(126);
		execv(binary, argv);
		dprintf(report[1], " e %d", errno);
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
		die("cannot run %s: %s", binary, strerror(atoi(strstr(msg, " e ") + 3)));
	}
	if (!add_proc("pause", -1, msg))
		die("cannot track pause");
}

/*
 * plain mode: become PID 1 of the new namespace by forking once more. The
 * original process only waits and passes on the exit status; its death
 * (pdeathsig) takes the inner one, and with it the namespace, along.
 */
static void become_namespace_init(void)
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

/* "pids": every process's host pid, for tests that look at /proc themselves. */
static void print_pids(void)
{
	int i;

	printf("pid outside %d\n", (int)self_host_pid);
	for (i = 0; i < nprocs; i++)
		if (!check_gone(&procs[i]))
			printf("pid %s %d\n", procs[i].name, (int)procs[i].host_pid);
	printf("end\n");
	fflush(stdout);
}

/* Stdin closed or "quit": kill pause's namespace and reap everything. */
static void cleanup(void)
{
	if (mode == MODE_PLAIN) /* we are the namespace's init: exiting is enough */
		return;
	if (!check_gone(pause_proc))
		pidfd_signal(pause_proc->pidfd, SIGKILL);
	while (waitpid(-1, 0, 0) > 0 || errno == EINTR)
		;
}

/* Wrong arguments: the runner builds them, so this is a programming error. */
static void usage(void)
{
	fprintf(stderr, "usage: pausekit-driver --pause BINARY --mode pid1|plain "
			"[--settle-ms N] | --probe\n");
	exit(2);
}

/*
 * Set up (die with the runner, own session, no core files, the namespace,
 * subreaper, SIGCHLD as a signalfd), start pause, observe, then obey stdin
 * until it closes.
 */
int main(int argc, char **argv)
{
	const char *binary = 0;
	pid_t parent = getppid();
	struct rlimit no_core = { 0, 0 };
	sigset_t chld;
	pid_t pids[8];
	char line[512];
	int i;

	mode = MODE_PID1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--probe"))
			return probe();
		if (!strcmp(argv[i], "--pause") && i + 1 < argc)
			binary = argv[++i];
		else if (!strcmp(argv[i], "--mode") && i + 1 < argc)
			mode = !strcmp(argv[++i], "plain") ? MODE_PLAIN : MODE_PID1;
		else if (!strcmp(argv[i], "--settle-ms") && i + 1 < argc)
			settle_ms = atol(argv[++i]);
		else
			usage();
	}
	if (!binary)
		usage();

	/* Die with the runner; keep the terminal's signals away from pause. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return 1;
	setsid();
	setrlimit(RLIMIT_CORE, &no_core);

	if (!enter_pid_namespace())
		die("cannot create a PID namespace (%s): run as root, or allow "
		    "unprivileged user namespaces", strerror(errno));
	if (mode == MODE_PLAIN)
		become_namespace_init();
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	i = read_nspids("/proc/self/status", pids, 8);
	if (i <= 0)
		die("cannot read /proc/self/status");
	self_host_pid = pids[0];
	self_level = i - 1;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, 0);
	chld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (chld_fd < 0)
		die("signalfd: %s", strerror(errno));

	start_pause(binary);
	observe();

	while (fgets(line, sizeof(line), stdin)) {
		char a[NAME_LEN + 1], b[NAME_LEN + 1];
		int n;

		if (sscanf(line, "spawn %64s %64s %d", a, b, &n) == 3)
			cmd_spawn(a, b, n != 0);
		else if (sscanf(line, "exit %64s %d", a, &n) == 2)
			cmd_exit(a, n);
		else if (sscanf(line, "kill %64s %64s %d", a, b, &n) == 3)
			cmd_kill(a, b, n);
		else if (sscanf(line, "subreaper %64s", a) == 1)
			cmd_subreaper(a);
		else if (!strncmp(line, "pids", 4))
			print_pids();
		else if (!strncmp(line, "quit", 4))
			break;
		else
			fail("unknown command: %s", line);
	}
	cleanup();
	return 0;
}
