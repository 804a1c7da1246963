/*
 * What the soak's parts share. Each uses only those listed above it:
 *
 *   common.c   the clock, /proc, going down cleanly (shared with harness)
 *   waves.c    pause started as PID 1, and a wave of orphans through it
 *   soak.c     the run: arguments, the waves, the storm, SIGTERM
 *
 * State that crosses parts is a struct soak, which main() owns.
 */
#ifndef PAUSEKIT_BENCH_SOAK_H
#define PAUSEKIT_BENCH_SOAK_H

#include "common.h"

#define MAX_SENDERS 64
#define POLL_PAUSE_NS 50000L

enum kind { BURST, ZOMBIES, CHAIN, STOPPED, KINDS };

/* What the storm's senders share with the soak (a shared mapping). */
struct storm {
	volatile int stop;
	volatile long sent[MAX_SENDERS];
};

/* The run's pause, and how to go in and out of its namespace. */
struct soak {
	pid_t pause_pid;      /* host pid; -1 before it starts and once reaped */
	int own_pid_ns;
	int pause_pid_ns;
	long reap_timeout_ms; /* how long pause may take to reap a wave's last orphan */
	struct storm *storm;
};

/* waves.c */
long cpu_ticks(pid_t pid);
long children_of_pause(const struct soak *s, long *zombies);
void start_pause(struct soak *s, const char *path, int *err);
pid_t fork_inside(const struct soak *s, const int *keep, int n_keep);
int reap(pid_t pid);
void wave(const struct soak *s, long index, enum kind kind, long n, int stormy);

#endif /* PAUSEKIT_BENCH_SOAK_H */
