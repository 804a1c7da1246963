/*
 * soak: the load half of `pausekit soak`. It starts one pause as PID 1 of a
 * fresh PID namespace, makes it adopt orphans in waves, storms it with
 * signals while orphans keep coming, then ends it with SIGTERM. Node
 * (src/bench/soak.ts) plans nothing here but the sizes, and judges every figure;
 * this program forks, signals and reads /proc, so that no garbage collector
 * sits between the orphans and pause.
 *
 *   soak PAUSE ORPHANS WAVES SENDERS STORM_MS SEED REAP_TIMEOUT_MS
 *
 * Each wave is forked by a helper that enters pause's namespace and exits,
 * so its children are reparented to pause. Four kinds, in turn:
 *
 *   burst    n children block on a pipe; closing it makes all exit at once
 *   zombies  n children exit at once and are left unreaped: the helper's
 *            exit hands pause n zombies together (a SIGCHLD each, coalesced)
 *   chain    a chain n deep, each link the child of the last, released at
 *            once: as each link dies its child is reparented to pause
 *   stopped  n children stop themselves (SIGSTOP), are adopted stopped, and
 *            are continued from outside (SIGCONT to their group); pause,
 *            with SA_NOCLDSTOP, hears nothing until they exit
 *
 * A wave ends when every orphan has exited (a pipe each holds reaches end of
 * file); then pause must reap the last of them (its children list empty)
 * within REAP_TIMEOUT_MS. Answers on stdout, one line each, tab-separated:
 *
 *   S <pause pid> <vmrss kB> <cpu ticks> <cpu ns>   pause is ready
 *   W <i> <kind> <n> <storm 0|1> <ns> <reap lag ns> <children left> <zombies left>
 *     <vmrss kB> <vmhwm kB> <cpu ticks> <cpu ns>       one wave, pause idle after it
 *   T <senders> <signals sent> <ns>             the storm, once it stopped
 *   A <children left>                           pause after the storm, alive
 *   X <wait status> <SIGTERM to exit ns> <stderr, hex>   the end
 *   E <message>                                 a failure: the run stops
 *
 * cpu ticks: utime + stime of /proc/PID/stat (USER_HZ); cpu ns: the run time
 * of /proc/PID/schedstat. Nothing is left behind: pause is killed (SIGKILL
 * from outside the namespace is always delivered) and with it everything in
 * its namespace; the storm's senders die with this program
 * (PR_SET_PDEATHSIG), which goes down cleanly on SIGINT, SIGTERM and SIGHUP.
 */
#include "soak.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WAVE 20000             /* orphans in one wave (host pid_max is often 32768) */
#define TERM_TIMEOUT_MS 10000

/* The run's sizes, from the command line. */
struct plan {
	long orphans, waves, senders, storm_ms;
	long base; /* the mean wave size */
};

/* Every signal a process can catch, except INT and TERM, which end pause. */
static int storm_signals(int *out)
{
	int n = 0, sig;

	for (sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGINT && sig != SIGTERM)
			out[n++] = sig;
	return n;
}

/* One sender: every storm signal in turn to target, until told to stop. */
static __attribute__((noreturn)) void sender(struct storm *storm, int slot, pid_t target)
{
	int sigs[64], n = storm_signals(sigs), i = 0;
	long sent = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close_range(3, ~0U, 0);
	while (!storm->stop) {
		int k;

		for (k = 0; k < 64; k++) {
			kill(target, sigs[i]);
			if (++i == n)
				i = 0;
		}
		sent += 64;
		storm->sent[slot] = sent;
	}
	_exit(0);
}

/* xorshift64: the one source of the wave sizes' variety. */
static uint64_t rng;
static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A wave size around base: from half of it to one and a half times. */
static long vary(long base)
{
	long n = base / 2 + (long)(next_random() % (uint64_t)(base + 1));

	return n < 1 ? 1 : n > MAX_WAVE ? MAX_WAVE : n;
}

/* A whole number >= min from the command line; else the usage error (exit 2). */
static long parse(const char *text, const char *what, long min)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (*text == 0 || *end != 0 || v < min) {
		fprintf(stderr, "soak: %s: expected an integer >= %ld, got \"%s\"\n", what, min, text);
		exit(2);
	}
	return v;
}

/*
 * The command line into plan, the seed into the random source and the reap
 * timeout into s; a usage error exits 2.
 */
static void parse_args(int argc, char **argv, struct plan *plan, struct soak *s)
{
	if (argc != 8) {
		fprintf(stderr, "usage: soak PAUSE ORPHANS WAVES SENDERS STORM_MS SEED REAP_TIMEOUT_MS\n");
		exit(2);
	}
	plan->orphans = parse(argv[2], "ORPHANS", 1);
	plan->waves = parse(argv[3], "WAVES", 1);
	plan->senders = parse(argv[4], "SENDERS", 0);
	plan->storm_ms = parse(argv[5], "STORM_MS", 0);
	rng = (uint64_t)parse(argv[6], "SEED", 0) * 2654435761ULL + 1;
	s->reap_timeout_ms = parse(argv[7], "REAP_TIMEOUT_MS", 1);
	plan->base = plan->orphans / plan->waves;
	if (plan->waves > plan->orphans || plan->senders > MAX_SENDERS || plan->base * 3 / 2 > MAX_WAVE) {
		fprintf(stderr, "soak: need WAVES <= ORPHANS, ORPHANS/WAVES <= %d, SENDERS <= %d\n",
			MAX_WAVE * 2 / 3, MAX_SENDERS);
		exit(2);
	}
}

/* Kill pause (and so its whole namespace) and every child of ours. */
static void clean_up(void *arg)
{
	const struct soak *s = arg;

	if (s->storm)
		s->storm->stop = 1;
	if (s->pause_pid > 0)
		kill(s->pause_pid, SIGKILL);
	while (waitpid(-1, 0, __WALL) > 0 || errno == EINTR)
		;
}

/*
 * The waves: every kind in turn, sizes varied around the mean in pairs
 * (one wave d above it, the next d below), so that they add up exactly.
 * Returns the next wave's index.
 */
static long run_waves(const struct soak *s, const struct plan *plan)
{
	long i, index = 0, pair = 0;

	for (i = 0; i < plan->waves; i++) {
		long n = plan->base + (i < plan->orphans % plan->waves), d = vary(plan->base) - plan->base;

		if (i % 2 == 0 && i + 1 < plan->waves)
			pair = d;
		else if (i % 2 == 1)
			d = -pair;
		else
			d = 0;
		wave(s, index++, (enum kind)(i % KINDS), n + d, 0);
	}
	return index;
}

/* The storm: senders inside the namespace and out, waves meanwhile. */
static void run_storm(struct soak *s, const struct plan *plan, long index)
{
	pid_t sender_pid[MAX_SENDERS];
	int64_t t0, t1, storm_end;
	long i, total = 0;
	int status;

	for (i = 0; i < plan->senders; i++) {
		sender_pid[i] = i % 2 ? fork_inside(s, 0, 0) : fork();
		if (sender_pid[i] < 0)
			fail("cannot fork a sender: %s", strerror(errno));
		if (sender_pid[i] == 0)
			sender(s->storm, (int)i, i % 2 ? 1 : s->pause_pid);
	}
	t0 = now_ns();
	storm_end = t0 + plan->storm_ms * 1000000LL;
	do {
		wave(s, index, (enum kind)(index % KINDS), vary(plan->base), 1);
		index++;
	} while (now_ns() < storm_end);
	s->storm->stop = 1;
	t1 = now_ns();
	for (i = 0; i < plan->senders; i++)
		reap(sender_pid[i]);
	for (i = 0; i < plan->senders; i++)
		total += s->storm->sent[i];
	printf("T\t%ld\t%ld\t%lld\n", plan->senders, total, (long long)(t1 - t0));
	if (waitpid(s->pause_pid, &status, WNOHANG) != 0) {
		s->pause_pid = -1;
		fail("pause ended during the storm (wait status %d)", status);
	}
	printf("A\t%ld\n", children_of_pause(s, 0));
}

/* The end: SIGTERM from outside, and what pause said (err: its stderr). */
static void end_pause(struct soak *s, int err)
{
	int64_t t0, t1;
	char buf[256];
	ssize_t got, i;
	int status;

	t0 = now_ns();
	if (kill(s->pause_pid, SIGTERM) < 0)
		fail("cannot send SIGTERM to pause: %s", strerror(errno));
	{
		int pidfd = pidfd_open(s->pause_pid);
		struct pollfd pf = { pidfd, POLLIN, 0 };

		if (pidfd < 0 || poll(&pf, 1, TERM_TIMEOUT_MS) != 1)
			fail("pause did not exit within %d ms of SIGTERM", TERM_TIMEOUT_MS);
		close(pidfd);
	}
	t1 = now_ns();
	status = reap(s->pause_pid);
	s->pause_pid = -1;
	printf("X\t%d\t%lld\t", status, (long long)(t1 - t0));
	while ((got = read(err, buf, sizeof(buf))) > 0)
		for (i = 0; i < got; i++)
			printf("%02x", (unsigned char)buf[i]);
	printf("\n");
}

/* Parse, go down cleanly on interrupts, start pause, then the waves, the storm, the end. */
int main(int argc, char **argv)
{
	struct soak s = { .pause_pid = -1, .own_pid_ns = -1, .pause_pid_ns = -1 };
	struct plan plan;
	long index, rss_kb, hwm_kb;
	int err = -1;

	parse_args(argc, argv, &plan, &s);
	catch_interrupts(clean_up, &s);
	setvbuf(stdout, 0, _IOLBF, 0);
	s.storm = mmap(0, sizeof(*s.storm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	s.own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (s.storm == MAP_FAILED || s.own_pid_ns < 0) {
		s.storm = 0;
		fail("cannot map the storm's counters or open /proc/self/ns/pid: %s", strerror(errno));
	}

	start_pause(&s, argv[1], &err);
	memory_kb(s.pause_pid, &rss_kb, &hwm_kb);
	printf("S\t%d\t%ld\t%ld\t%lld\n", s.pause_pid, rss_kb, cpu_ticks(s.pause_pid),
	       (long long)cpu_ns(s.pause_pid));
	index = run_waves(&s, &plan);
	if (plan.senders > 0 && plan.storm_ms > 0)
		run_storm(&s, &plan, index);
	end_pause(&s, err);
	clean_up(&s);
	return 0;
}
