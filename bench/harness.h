/*
 * What the harness's parts share. Each uses only those listed above it:
 *
 *   common.c   the clock, /proc, going down cleanly (shared with soak)
 *   launch.c   a program under test started, known ready, and killed
 *   reaping.c  the reaping sample: orphans adopted by a PID 1, released
 *   harness.c  the protocol to Node: programs declared, samples asked for
 *
 * State that crosses parts is a struct harness, which main() owns.
 */
#ifndef PAUSEKIT_BENCH_HARNESS_H
#define PAUSEKIT_BENCH_HARNESS_H

#include "common.h"

#define MAX_ARGS 16
#define MAX_READY 8
#define READY_TIMEOUT_NS 5000000000LL
#define POLL_PAUSE_NS 20000L

/* A program under test, as Node declared it ("P" lines). */
struct program {
	char *id;
	int ready[MAX_READY];
	int n_ready;
	int child_ready[MAX_READY];
	int n_child_ready; /* 0: starts no child */
	char *argv[MAX_ARGS + 1];
};

/* What main() opens once for every sample. */
struct harness {
	int devnull;    /* every program's stdin, stdout and stderr */
	int own_pid_ns; /* to come back from a program's PID namespace */
};

/* launch.c */
int children_of(pid_t pid, pid_t *out, int max);
int in_set(long value, const int *set, int n);
void kill_children(void);
pid_t launch(const struct harness *h, const struct program *p, int pid1);
int wait_ready(const struct program *p, pid_t pid, char *err, size_t size);

/* reaping.c */
void reaping_sample(const struct harness *h, const struct program *p, long n);

#endif /* PAUSEKIT_BENCH_HARNESS_H */
