/*
 * pausekit-driver, a named process's side: a fork of the driver (or the
 * driver exec'd by an init as its program) that announces itself and obeys
 * the commands on its socket (fork, exit, kill, subreaper, disposition),
 * with a handler that records the signals it catches. Uses msg.c.
 */

#include "driver.h"
#include <errno.h>
#include <fcntl.h>
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
/* Named processes: forks of the driver that obey their socket               */
/* ------------------------------------------------------------------------ */

/* The socket a named process obeys, for its handler (always fd 3). */
static int named_sock = 3;

/*
 * The signals whose action this process may have changed from SIG_DFL (bit
 * n-1: signal n): a fork inherits the set, and named_start() sets back
 * only those (a sigaction costs about half a microsecond, and most
 * processes change none). All of them at first: a program exec'd by an
 * init may have been given anything; named_defaults() (a session's start)
 * and named_start() set them back, and leave in it only those an exec'd
 * program keeps ignored, which its forks then set back.
 */
static unsigned long long changed = ~0ULL;

/*
 * Set every action in `set` (bit n-1: signal n; all, with ~0) back to
 * SIG_DFL; keep_ignored leaves those at SIG_IGN as they are.
 */
static void set_back(unsigned long long set, int chld_flags, bool keep_ignored)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	unsigned long long kept = 0;
	int i;

	sigemptyset(&dfl.sa_mask);
	for (i = 1; i < NSIG; i++) {
		struct sigaction was;

		if (set != ~0ULL && i != SIGCHLD && (i > 64 || !(set & SIGBIT(i))))
			continue;
		if (keep_ignored && (sigaction(i, 0, &was) < 0 || was.sa_handler == SIG_IGN)) {
			kept |= i <= 64 ? SIGBIT(i) : 0; /* an ignored one the init passed on stays */
			continue;
		}
		dfl.sa_flags = i == SIGCHLD ? chld_flags : 0;
		sigaction(i, &dfl, 0); /* SIGKILL, SIGSTOP and libc's own refuse */
	}
	changed = kept;
}

/*
 * The driver's own start (a session): every signal at SIG_DFL (SIGCHLD
 * without SA_NOCLDSTOP: the driver hears its children stop), so that pause
 * starts from the defaults whatever the runner left, and the named
 * processes the driver forks have nothing to set back.
 */
void named_defaults(void)
{
	set_back(~0ULL, 0, false);
}

/*
 * A "catch" disposition's handler: tell the driver "c SIGNUM", with one
 * send() (async-signal-safe), never blocking.
 */
static void on_caught(int sig)
{
	int saved = errno;
	char msg[8] = "c ";
	int n = 2;

	if (sig >= 10)
		msg[n++] = (char)('0' + sig / 10);
	msg[n++] = (char)('0' + sig % 10);
	send(named_sock, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	errno = saved;
}

/*
 * "d SIGNUM ACTION": SIG_DFL, SIG_IGN or on_caught (SIGCHLD keeps
 * SA_NOCLDSTOP), then unblock; or block. Unblocking may run the handler, or
 * kill this process, before the ack leaves.
 */
static void named_disposition(int sock, int sig, char action)
{
	struct sigaction act = { .sa_handler = SIG_DFL };
	sigset_t set;
	char ack[32] = "k";

	sigemptyset(&set);
	sigaddset(&set, sig);
	if (action == 'b') {
		sigprocmask(SIG_BLOCK, &set, 0);
	} else {
		act.sa_handler = action == 'i' ? SIG_IGN : action == 'c' ? on_caught : SIG_DFL;
		act.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
		sigemptyset(&act.sa_mask);
		changed |= SIGBIT(sig);
		if (sigaction(sig, &act, 0) < 0)
			snprintf(ack, sizeof(ack), "e %d", errno);
		else
			sigprocmask(SIG_UNBLOCK, &set, 0);
	}
	send_msg(sock, ack, -1);
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
		named_start(child_sock, child_reaps, false);
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

	named_sock = sock;
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
		case 'd': /* change a signal's disposition */
			if (sscanf(msg + 2, "%d", &a) == 1 && msg[2] && strchr(msg + 2, ' '))
				named_disposition(sock, a, strchr(msg + 2, ' ')[1]);
			else
				send_msg(sock, "e 0", -1);
			break;
		default:
			send_msg(sock, "e 0", -1);
			break;
		}
	}
}

/*
 * A fresh named process: its socket on fd 3, nothing else inherited but
 * stderr, default dispositions (SIGCHLD with SA_NOCLDSTOP: a stopped or
 * continued child sends nothing; every signal its parent may have changed
 * set back), an empty signal mask, and (if it reaps) a SIGCHLD signalfd.
 * Then it announces its pids and obeys. exec'd (an init's program, fresh
 * by exec): the ignored signals and the mask it was given are kept, as they
 * are what the init under test passed on.
 */
__attribute__((noreturn)) void named_start(int sock, bool reaps, bool execd)
{
	sigset_t none;
	char msg[MSG_LEN];
	int null;

	if (sock != 3 && dup2(sock, 3) < 0)
		_exit(120);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	close_range(4, ~0U, 0);
	set_back(changed, SA_NOCLDSTOP, execd);
	sigemptyset(&none);
	if (!execd)
		sigprocmask(SIG_SETMASK, &none, 0);

	if (announcement(msg, sizeof(msg)) <= 1)
		_exit(121);
	if (send_msg(3, msg, -1) < 0)
		_exit(122);
	named_main(3, reaps);
}
